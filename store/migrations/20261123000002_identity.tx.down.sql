DROP TABLE settings;

--bun:split

DROP TABLE tokens;

--bun:split

DROP TABLE users;
