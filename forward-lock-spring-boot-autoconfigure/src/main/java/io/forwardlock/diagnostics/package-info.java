/**
 * Start-up diagnostics: the failure analyzer that explains a refused start, and the
 * exception that carries the process exit code.
 */
@NullMarked
package io.forwardlock.diagnostics;

import org.jspecify.annotations.NullMarked;
