package io.forwardlock.sample;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample application.
 *
 * @param ledgerFile file the ledger job appends its ticks to
 * @param tickInterval pause between two ticks
 * @param startupMarker file that the start-up side effect appends to, or {@code null} to
 * skip it
 */
@ConfigurationProperties("sample")
public record SampleProperties(Path ledgerFile, Duration tickInterval, Path startupMarker) {

}
