package io.forwardlock.diagnostics;

import java.util.Set;

import io.forwardlock.lock.SafeText;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Reports a rejected {@code forward.lock.*} setting the way it was written: the
 * kebab-case property ({@code forward.lock.stale-timeout}, not {@code staleTimeout}) and
 * the value as the user wrote it ({@code -5s}, not {@code PT-5S}), with its origin and
 * the reason. Boot's own analyzer for validation failures names the Java field and shows
 * the converted value; this one runs before it, and only for these properties.
 */
class ForwardLockPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<BindValidationException> implements Ordered {

	private static final String PREFIX = "forward.lock";

	@Override
	public int getOrder() {
		// before Boot's BindValidationFailureAnalyzer, which has the lowest precedence
		return 0;
	}

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindValidationException cause) {
		ValidationErrors errors = cause.getValidationErrors();
		if (!errors.getName().toString().startsWith(PREFIX)) {
			return null;
		}
		StringBuilder description = new StringBuilder("Invalid forward-lock settings:\n");
		for (ObjectError error : errors.getAllErrors()) {
			if (error instanceof FieldError fieldError) {
				appendFieldError(description, errors, fieldError);
			}
			else {
				description.append(String.format("%n    Reason: %s%n", escape(error.getDefaultMessage())));
			}
		}
		return new FailureAnalysis(description.toString().stripTrailing(),
				"Update the application's configuration: use a valid value for each property above, or remove it "
						+ "to use the default.",
				cause);
	}

	private void appendFieldError(StringBuilder description, ValidationErrors errors, FieldError error) {
		String property = errors.getName() + "." + DataObjectPropertyName.toDashedForm(error.getField());
		ConfigurationProperty bound = findBound(errors.getBoundProperties(), property);
		Object value = (bound != null) ? bound.getValue() : error.getRejectedValue();
		Origin origin = (bound != null && bound.getOrigin() != null) ? bound.getOrigin() : Origin.from(error);
		description.append(String.format("%n    Property: %s", property));
		description.append(String.format("%n    Value: \"%s\"", escape(String.valueOf(value))));
		if (origin != null) {
			description.append(String.format("%n    Origin: %s", escape(origin.toString())));
		}
		description.append(String.format("%n    Reason: %s%n", escape(error.getDefaultMessage())));
	}

	private @Nullable ConfigurationProperty findBound(Set<ConfigurationProperty> bound, String property) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
		for (ConfigurationProperty candidate : bound) {
			if (candidate.getName().equals(name)) {
				return candidate;
			}
		}
		return null;
	}

	private static @Nullable String escape(@Nullable String text) {
		// values and origins come from the environment: no forged line in the report
		return SafeText.escape(text);
	}

}
