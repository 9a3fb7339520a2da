package io.forwardlock.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

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

	private final AtomicLong ticks = new AtomicLong();

	LedgerJob(SampleProperties properties) {
		this.properties = properties;
	}

	@Scheduled(fixedDelayString = "${sample.tick-interval}")
	void tick() {
		long tick = this.ticks.incrementAndGet();
		String line = "tick " + tick + " pid=" + ProcessHandle.current().pid() + " at=" + Instant.now() + "\n";
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
