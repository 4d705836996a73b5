DROP TABLE closing_documents;
