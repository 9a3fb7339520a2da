package io.forwardlock.autoconfigure;

/**
 * Whether Spring AOT is processing the application, that is building it rather than
 * running it. Spring Boot's AOT processor sets the system property
 * {@code spring.aot.processing} while it refreshes the context to generate code; nothing
 * may take a lock, create a directory or call a database then.
 */
final class AotProcessing {

	static final String PROPERTY = "spring.aot.processing";

	private AotProcessing() {
	}

	static boolean isRunning() {
		return Boolean.getBoolean(PROPERTY);
	}

}
