-- Lock table of forward-lock's JDBC backend (PostgreSQL).
-- One row per lock name. Rows are never deleted: the fencing token must keep increasing.
-- Times come from the database's clock.
CREATE TABLE IF NOT EXISTS FORWARD_LOCK (
	lock_name VARCHAR(128) NOT NULL PRIMARY KEY,
	holder_id VARCHAR(255) NOT NULL,
	pid BIGINT,
	host VARCHAR(255),
	application_name VARCHAR(255),
	acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,
	renewed_at TIMESTAMP WITH TIME ZONE NOT NULL,
	expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
	fencing_token BIGINT NOT NULL
);
