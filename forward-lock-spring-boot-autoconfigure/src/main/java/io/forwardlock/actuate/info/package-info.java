/**
 * Info contributor that summarises the instance lock.
 */
package io.forwardlock.actuate.info;
