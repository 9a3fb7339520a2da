package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.HolderFiles.Declared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link HolderFiles}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HolderFilesTests {

	@TempDir
	Path directory;

	private final HolderRecord record = new HolderRecord(4242, "host-a",
			Instant.parse("2026-11-28T01:00:00.123456789Z"), Instant.parse("2026-11-28T01:00:05Z"), "orders", "7f0c");

	@Test
	void pidContentIsDecimalWithNewline() {
		assertThat(new String(HolderFiles.pidContent(4242), StandardCharsets.US_ASCII)).isEqualTo("4242\n");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "4242|4242", "4242\\n|4242", "' 4242 \\r\\n'|4242", "1|1" })
	void validPidContentIsParsed(String content, long pid) {
		byte[] bytes = content.replace("\\n", "\n").replace("\\r", "\r").getBytes(StandardCharsets.US_ASCII);
		assertThat(HolderFiles.parsePid(bytes)).isEqualTo(OptionalLong.of(pid));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "\n", "garbage", "-42", "0", "42abc", "4 2", "99999999999999999999", "0x10", "+5",
			"12\n13" })
	void invalidPidContentIsRejected(String content) {
		assertThat(HolderFiles.parsePid(content.getBytes(StandardCharsets.US_ASCII))).isEmpty();
	}

	@Test
	void hugeContentIsRejectedWithoutParsing() {
		assertThat(HolderFiles.parsePid(new byte[1024 * 1024])).isEmpty();
		assertThat(HolderFiles.parsePid(null)).isEmpty();
	}

	@Test
	void recordSurvivesFormatAndParse() {
		assertThat(HolderFiles.parse(HolderFiles.format(this.record))).contains(this.record);
	}

	@Test
	void recordWithLineBreaksInNamesCannotInjectProperties() {
		HolderRecord tricky = new HolderRecord(4242, "host", null, null, "orders\npid=1\\x", "id");
		Optional<HolderRecord> parsed = HolderFiles.parse(HolderFiles.format(tricky));
		assertThat(parsed).contains(tricky);
	}

	@Test
	void recordWithoutValidPidIsRejected() {
		assertThat(HolderFiles.parse("hostname=a\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
		assertThat(HolderFiles.parse("pid=-1\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
	}

	@Test
	void recordWithBadTimesKeepsTheRest() {
		Optional<HolderRecord> parsed = HolderFiles
			.parse("pid=7\nacquiredAt=yesterday\napplicationName=orders\n".getBytes(StandardCharsets.UTF_8));
		assertThat(parsed).contains(new HolderRecord(7, null, null, null, "orders", null));
	}

	@Test
	void readReturnsRecordOfRegularFile() throws Exception {
		Path file = Files.write(this.directory.resolve("app.lock.holder"), HolderFiles.format(this.record));
		assertThat(HolderFiles.read(file)).contains(this.record);
	}

	@Test
	void readIgnoresMissingFile() {
		assertThat(HolderFiles.read(this.directory.resolve("missing"))).isEmpty();
	}

	@Test
	void readNeverFollowsSymbolicLink() throws Exception {
		Path target = Files.write(this.directory.resolve("target"), HolderFiles.format(this.record));
		Path link = Files.createSymbolicLink(this.directory.resolve("app.lock.holder"), target);
		assertThat(HolderFiles.read(link)).isEmpty();
	}

	@Test
	void mergePrefersSiblingRecordOnlyWhenPidsMatch() {
		assertThat(HolderFiles.merge(OptionalLong.of(4242), Optional.of(this.record))).isEqualTo(this.record);
		assertThat(HolderFiles.merge(OptionalLong.of(99), Optional.of(this.record))).isEqualTo(HolderRecord.ofPid(99));
		assertThat(HolderFiles.merge(OptionalLong.empty(), Optional.of(this.record))).isEqualTo(this.record);
		assertThat(HolderFiles.merge(OptionalLong.empty(), Optional.empty())).isEqualTo(HolderRecord.unknown());
	}

	@Test
	void recordDeclaresTheHolderHeartbeatWithIntervalAndStaleTimeout() {
		LockRequest request = LockRequest.named("app").heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3)).build();
		Optional<Declared> declared = HolderFiles.parseDeclared(HolderFiles.format(this.record, request));
		assertThat(declared).contains(new Declared(this.record, true, Duration.ofSeconds(1), Duration.ofSeconds(3)));
	}

	@Test
	void recordOfHolderWithoutHeartbeatDeclaresNone() {
		Optional<Declared> declared = HolderFiles
			.parseDeclared(HolderFiles.format(this.record, LockRequest.named("app").build()));
		assertThat(declared).contains(new Declared(this.record, false, null, null));
		assertThat(HolderFiles.parseDeclared(
				"pid=7\nheartbeat=true\nheartbeatInterval=soon\nstaleTimeout=PT3S\n".getBytes(StandardCharsets.UTF_8)))
			.map(Declared::heartbeat)
			.contains(false);
	}

	@Test
	void unicodeEscapesInTheFileAreNeverDecodedIntoControlCharacters() {
		byte[] content = "pid=7\nhostname=evil\\u000aERROR forged\napplicationName=\\u001b[2Jx\n"
			.getBytes(StandardCharsets.UTF_8);
		HolderRecord parsed = HolderFiles.parse(content).orElseThrow();
		assertThat(parsed.hostname()).isEqualTo("evil\\u000aERROR forged");
		assertThat(parsed.applicationName()).isEqualTo("\\u001b[2Jx");
		assertThat(parsed.describe()).doesNotContain("\n", "\u001b");
	}

	@Test
	void rawControlCharactersInTheFileAreEscaped() {
		byte[] content = "pid=7\nhostname=a\rERROR forged\u001b[31m\n".getBytes(StandardCharsets.UTF_8);
		HolderRecord parsed = HolderFiles.parse(content).orElseThrow();
		assertThat(parsed.hostname()).isEqualTo("a\\rERROR forged\\e[31m");
	}

	@Test
	void fifoIsOpenedWithoutBlockingAndReadsNothing() throws Exception {
		Path fifo = this.directory.resolve("app.lock.holder");
		assumeThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
		// the lstat check is skipped on purpose: a FIFO slipped in after it must not
		// block
		try (FileChannel channel = HolderFiles.openWithoutBlocking(fifo)) {
			assertThat(readOrFail(channel)).isTrue();
		}
		assertThat(HolderFiles.read(fifo)).isEmpty();
	}

	private static boolean readOrFail(FileChannel channel) {
		try {
			return HolderFiles.readStart(channel).length == 0;
		}
		catch (IOException ex) {
			// positional reads are refused by a FIFO: fine, as long as nothing blocks
			return true;
		}
	}

}
