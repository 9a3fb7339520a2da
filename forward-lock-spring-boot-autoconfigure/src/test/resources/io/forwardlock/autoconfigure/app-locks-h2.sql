-- The application's own lock table: forward-lock's H2 script with the table renamed
CREATE TABLE IF NOT EXISTS APP_LOCKS (lock_name VARCHAR(128) NOT NULL PRIMARY KEY, holder_id VARCHAR(255) NOT NULL,
	pid BIGINT, host VARCHAR(255), application_name VARCHAR(255), acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,
	renewed_at TIMESTAMP WITH TIME ZONE NOT NULL, expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
	fencing_token BIGINT NOT NULL);
