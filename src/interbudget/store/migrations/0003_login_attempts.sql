-- Login attempts per (user name, client address) in the current lock-out window: counted by one statement that
-- increments and reads (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), so parallel guesses cannot all read the
-- count before any of them writes it. A successful login deletes its row.
CREATE TABLE login_attempts (
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (username, client)
);
