package io.forwardlock.lock;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SafeText}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SafeTextTests {

	@Test
	void lineBreaksAndTerminalEscapesBecomeVisible() {
		assertThat(SafeText.escape("host\nERROR forged\r\u001b[2J\t\u0007"))
			.isEqualTo("host\\nERROR forged\\r\\e[2J\\t\\u0007");
	}

	@Test
	void c1ControlsSeparatorsAndBidiOverridesBecomeVisible() {
		assertThat(SafeText.escape("a\u009bb\u2028c\u202ed\u2066e\u007f"))
			.isEqualTo("a\\u009bb\\u2028c\\u202ed\\u2066e\\u007f");
	}

	@Test
	void lettersOfAnyScriptAndBackslashesAreKept() {
		assertThat(SafeText.escape("注文-請求 ümlaut C:\\ProgramData")).isEqualTo("注文-請求 ümlaut C:\\ProgramData");
		assertThat(SafeText.escape(null)).isNull();
	}

	@Test
	void escapingTwiceChangesNothingMore() {
		String once = SafeText.escape("x\ny\u001b");
		assertThat(SafeText.escape(once)).isEqualTo(once);
		assertThat(SafeText.isClean(once)).isTrue();
	}

}
