package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.endpoint.ForwardLockEndpoint;
import io.forwardlock.actuate.info.ForwardLockInfoContributor;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.jdbc.JdbcLockSchemaInitializer;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * {@link RuntimeHintsRegistrar} for forward-lock in a native image: what it reaches by
 * reflection or as a resource without Spring seeing it at build time.
 * <ul>
 * <li>The JDBC backend's schema scripts, read from the class path by the core (one per
 * database, so a pattern).</li>
 * <li>Binding of {@link ForwardLockProperties}, which the early acquisition binds by hand
 * before the properties bean exists; Spring registers hints only for the bean.</li>
 * <li>The endpoint's and the info contributor's descriptors and the holder record, which
 * are written as JSON.</li>
 * <li>The failure analyzers, created from {@code META-INF/spring.factories}.</li>
 * </ul>
 * Registered in {@code META-INF/spring/aot.factories}.
 */
class ForwardLockRuntimeHints implements RuntimeHintsRegistrar {

	static final String SCHEMA_SCRIPTS = JdbcLockSchemaInitializer.SCHEMA_LOCATION
		.replace(JdbcLockSchemaInitializer.PLATFORM_PLACEHOLDER, "*");

	static final String FAILURE_ANALYZER = "io.forwardlock.diagnostics.LockFailureAnalyzer";

	static final String PROPERTIES_FAILURE_ANALYZER = "io.forwardlock.diagnostics.ForwardLockPropertiesFailureAnalyzer";

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		hints.resources().registerPattern(SCHEMA_SCRIPTS);
		BindableRuntimeHintsRegistrar.forTypes(ForwardLockProperties.class).registerHints(hints, classLoader);
		hints.reflection()
			.registerType(TypeReference.of(FAILURE_ANALYZER), MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)
			.registerType(TypeReference.of(PROPERTIES_FAILURE_ANALYZER), MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
		// Records that do not depend on the actuator, so naming them loads no optional
		// class
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), HolderRecord.class,
				ForwardLockEndpoint.ForwardLockDescriptor.class, ForwardLockEndpoint.HolderDescriptor.class,
				ForwardLockEndpoint.HeartbeatDescriptor.class, ForwardLockInfoContributor.ForwardLockSummary.class);
	}

}
