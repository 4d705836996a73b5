DROP TABLE message_attachments;
DROP TABLE messages;
