package io.forwardlock.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

import org.springframework.stereotype.Component;

/**
 * Stands in for start-up work that a refused instance must not do, such as a database
 * migration: when {@code sample.startup-marker} is set, its constructor appends a line
 * with the PID to that file. With {@code forward.lock.acquire-early=true} a refused
 * instance never gets this far.
 */
@Component
class StartupSideEffect {

	StartupSideEffect(SampleProperties properties) {
		if (properties.startupMarker() != null) {
			try {
				Files.writeString(properties.startupMarker(), "constructed pid=" + ProcessHandle.current().pid() + "\n",
						StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
						StandardOpenOption.WRITE);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

}
