package io.forwardlock.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import io.forwardlock.lifecycle.ForwardLock;
import io.forwardlock.lock.LockException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A job that must never run twice at the same time: it appends numbered ticks with its
 * PID to a ledger file. Ticks of two PIDs interleaved in the ledger would show that the
 * guarantee was broken.
 */
@Component
class LedgerJob {

	private static final Log logger = LogFactory.getLog(LedgerJob.class);

	private final SampleProperties properties;

	private final ObjectProvider<ForwardLock> forwardLock;

	private final AtomicLong ticks = new AtomicLong();

	LedgerJob(SampleProperties properties, ObjectProvider<ForwardLock> forwardLock) {
		this.properties = properties;
		this.forwardLock = forwardLock;
	}

	@Scheduled(fixedDelayString = "${sample.tick-interval}")
	void tick() {
		// Right before the side effect: a holder that lost the lock (or may have, its
		// lease having run out while it was paused) writes nothing
		ForwardLock lock = this.forwardLock.getIfAvailable();
		String token = "";
		if (lock != null) {
			try {
				OptionalLong fencingToken = lock.ensureHeld();
				token = fencingToken.isPresent() ? " token=" + fencingToken.getAsLong() : "";
			}
			catch (LockException ex) {
				logger.warn("Skipping a tick: " + ex.getSummary());
				return;
			}
		}
		long tick = this.ticks.incrementAndGet();
		String line = "tick " + tick + " pid=" + ProcessHandle.current().pid() + " at=" + Instant.now() + token + "\n";
		try {
			Files.writeString(this.properties.ledgerFile(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND, StandardOpenOption.WRITE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not append to " + this.properties.ledgerFile(), ex);
		}
		if (tick == 1) {
			logger.info("Ledger job appends ticks to " + this.properties.ledgerFile());
		}
	}

}
