-- Lock table of forward-lock's JDBC backend (MySQL and MariaDB, through either driver).
-- One row per lock name. Rows are never deleted: the fencing token must keep increasing.
-- Times come from the database's clock: DATETIME(6) written with UTC_TIMESTAMP(6), so in UTC
-- to the microsecond, never converted through a session's time zone (TIMESTAMP columns are).
-- A binary collation compares lock and holder names byte for byte, case included (trailing spaces are
-- ignored, as in every PAD SPACE collation).
CREATE TABLE IF NOT EXISTS FORWARD_LOCK (
	lock_name VARCHAR(128) NOT NULL PRIMARY KEY,
	holder_id VARCHAR(255) NOT NULL,
	pid BIGINT,
	host VARCHAR(255),
	application_name VARCHAR(255),
	acquired_at DATETIME(6) NOT NULL,
	renewed_at DATETIME(6) NOT NULL,
	expires_at DATETIME(6) NOT NULL,
	fencing_token BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARACTER SET = utf8mb4 COLLATE = utf8mb4_bin;
