/**
 * JDBC backend: a leased row per lock in a table of the application's database, for
 * instances on several hosts. Plain JDBC, no Spring types.
 *
 * @see io.forwardlock.lock.jdbc.JdbcLockBackend
 */
@NullMarked
package io.forwardlock.lock.jdbc;

import org.jspecify.annotations.NullMarked;
