/**
 * Start-up diagnostics: the failure analyzer that explains a refused start, and the
 * exception that carries the process exit code.
 */
package io.forwardlock.diagnostics;
