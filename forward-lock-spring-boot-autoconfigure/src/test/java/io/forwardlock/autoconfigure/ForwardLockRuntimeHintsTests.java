package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.endpoint.ForwardLockEndpoint;
import io.forwardlock.actuate.info.ForwardLockInfoContributor;
import io.forwardlock.lock.HolderRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.aot.AotDetector;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockRuntimeHints}.
 */
@Timeout(60)
class ForwardLockRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	ForwardLockRuntimeHintsTests() {
		new ForwardLockRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
	}

	@Test
	void isRegisteredInAotFactories() {
		assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
			.anySatisfy((registrar) -> assertThat(registrar).isInstanceOf(ForwardLockRuntimeHints.class));
		assertThat(AotDetector.useGeneratedArtifacts()).isFalse();
	}

	@Test
	void schemaScriptsOfEveryDatabaseAreResources() {
		assertThat(RuntimeHintsPredicates.resource().forResource("io/forwardlock/lock/jdbc/schema-postgresql.sql"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("io/forwardlock/lock/jdbc/schema-h2.sql"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("io/forwardlock/lock/jdbc/schema-mysql.sql"))
			.accepts(this.hints);
		// A dialect added later is covered by the pattern
		assertThat(RuntimeHintsPredicates.resource().forResource("io/forwardlock/lock/jdbc/schema-oracle.sql"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("io/forwardlock/lock/jdbc/other.sql"))
			.rejects(this.hints);
	}

	@Test
	void propertiesBoundByHandCanBeBound() throws NoSuchMethodException {
		assertThat(RuntimeHintsPredicates.reflection().onType(ForwardLockProperties.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(
					ForwardLockProperties.class.getMethod("setBackend", ForwardLockProperties.Backend.class)))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(
					ForwardLockProperties.Heartbeat.class.getMethod("setInterval", java.time.Duration.class)))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(ForwardLockProperties.Jdbc.class.getMethod("setTableName", String.class)))
			.accepts(this.hints);
	}

	@Test
	void failureAnalyzersCanBeCreatedFromSpringFactories() throws ClassNotFoundException {
		for (String name : new String[] { ForwardLockRuntimeHints.FAILURE_ANALYZER,
				ForwardLockRuntimeHints.PROPERTIES_FAILURE_ANALYZER }) {
			Class<?> analyzer = Class.forName(name);
			assertThat(RuntimeHintsPredicates.reflection().onType(analyzer)).accepts(this.hints);
			assertThat(
					RuntimeHintsPredicates.reflection().onConstructorInvocation(analyzer.getDeclaredConstructors()[0]))
				.accepts(this.hints);
		}
	}

	@Test
	void holderRecordAndDescriptorsCanBeWrittenAsJson() throws NoSuchMethodException {
		for (Class<?> type : new Class<?>[] { HolderRecord.class, ForwardLockEndpoint.ForwardLockDescriptor.class,
				ForwardLockEndpoint.HolderDescriptor.class, ForwardLockEndpoint.HeartbeatDescriptor.class,
				ForwardLockInfoContributor.ForwardLockSummary.class }) {
			assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getName()).accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(ForwardLockEndpoint.ForwardLockDescriptor.class.getMethod("holder")))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(HolderRecord.class.getMethod("pid")))
			.accepts(this.hints);
	}

}
