package io.forwardlock.lock.file;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

import static org.assertj.core.api.Assertions.assertThat;

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

}
