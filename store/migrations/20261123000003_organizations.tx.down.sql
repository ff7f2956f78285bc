DROP TABLE resources;

--bun:split

DROP TABLE memberships;

--bun:split

DROP TABLE organizations;
