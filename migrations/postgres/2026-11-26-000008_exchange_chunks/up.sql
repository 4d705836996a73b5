-- 1C uploads are stored as numbered pieces rather than one growing value:
-- appending a chunk is one insert, and reading a file back streams it piece
-- by piece, so a 700 MB catalog never has to fit in memory.
CREATE TABLE exchange_chunks (
    session TEXT    NOT NULL,
    name    TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    content BYTEA   NOT NULL,
    PRIMARY KEY (session, name, seq)
);
ALTER TABLE exchange_files ADD COLUMN size BIGINT NOT NULL DEFAULT 0;
