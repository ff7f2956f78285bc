DROP TABLE rate_changes;

--bun:split

DROP TABLE pair_sequences;
