/**
 * Info contributor that summarises the instance lock.
 */
@NullMarked
package io.forwardlock.actuate.info;

import org.jspecify.annotations.NullMarked;
