package io.forwardlock.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Failure to acquire, keep or release a lock, as facts: the {@link LockErrorType type}, a
 * one-line summary, the holder when known, the lock location, and the possible solutions
 * as {@link LockRemedy remedies} that name the {@link LockSetting settings} to change
 * without saying how an application configures them.
 * <p>
 * {@link #getMessage()} renders all of it with {@link LockFailureFormat}, naming settings
 * as the calls of the plain Java API; the Spring Boot starter renders the same facts with
 * its property names. The solutions never advise deleting a lock file that a live process
 * holds.
 */
public class LockException extends RuntimeException {

	private final LockErrorType type;

	private final String summary;

	private final transient @Nullable HolderRecord holder;

	private final @Nullable String location;

	private final List<LockRemedy> remedies;

	/**
	 * Create a new instance whose solutions change no setting.
	 * @param type the error type
	 * @param summary one-line description of what went wrong
	 * @param holder the holder of the lock, if known
	 * @param location the lock location, if relevant
	 * @param help possible solutions, in order
	 * @param cause the underlying failure, may be {@code null}
	 */
	public LockException(LockErrorType type, String summary, @Nullable HolderRecord holder, @Nullable String location,
			@Nullable List<String> help, @Nullable Throwable cause) {
		this(builder(type, summary).holder(holder).location(location).help(help).cause(cause));
	}

	/**
	 * Create a new instance from a builder.
	 * @param builder the facts
	 */
	protected LockException(Builder builder) {
		super(builder.summary, builder.cause);
		this.type = builder.type;
		// the summary, the location and the help may carry text from the environment or
		// a file: escaped once here, so that no log line or terminal shows a forged line
		this.summary = SafeText.escape(builder.summary);
		this.holder = builder.holder;
		this.location = SafeText.escape(builder.location);
		this.remedies = builder.remedies.stream()
			.map((remedy) -> new LockRemedy(SafeText.escape(remedy.text()),
					remedy.changes()
						.stream()
						.map((change) -> new LockRemedy.Change(change.setting(), SafeText.escape(change.value())))
						.toList()))
			.toList();
	}

	/**
	 * Start describing a failure.
	 * @param type the error type
	 * @param summary one-line description of what went wrong
	 * @return a builder
	 */
	public static Builder builder(LockErrorType type, String summary) {
		return new Builder(type, summary);
	}

	/**
	 * The summary, the holder, the lock, the solutions worded for plain Java
	 * applications, and the underlying error.
	 * @return the message
	 */
	@Override
	public String getMessage() {
		return LockFailureFormat.message(this, LockFailureFormat.IN_CODE);
	}

	/**
	 * Error type.
	 * @return the type
	 */
	public LockErrorType getType() {
		return this.type;
	}

	/**
	 * One-line description, without holder, location or solutions.
	 * @return the summary
	 */
	public String getSummary() {
		return this.summary;
	}

	/**
	 * Holder of the lock, when known.
	 * @return the holder or {@code null}
	 */
	public @Nullable HolderRecord getHolder() {
		return this.holder;
	}

	/**
	 * PID of the holder when known.
	 * @return the PID, or {@code -1}
	 */
	public long getPid() {
		return (this.holder != null) ? this.holder.pid() : -1;
	}

	/**
	 * Host of the holder when known.
	 * @return the host or {@code null}
	 */
	public @Nullable String getHost() {
		return (this.holder != null) ? this.holder.hostname() : null;
	}

	/**
	 * Lock location (file path, table row), when relevant.
	 * @return the location or {@code null}
	 */
	public @Nullable String getLocation() {
		return this.location;
	}

	/**
	 * Lock location.
	 * @return the location or {@code null}
	 * @deprecated since the error facts carry a location for every backend; use
	 * {@link #getLocation()}
	 */
	@Deprecated(forRemoval = true)
	public @Nullable String getLockPath() {
		return getLocation();
	}

	/**
	 * Possible solutions, in the order to try them.
	 * @return the remedies, never {@code null}
	 */
	public List<LockRemedy> getRemedies() {
		return this.remedies;
	}

	/**
	 * Possible solutions worded for plain Java applications, in the order to try them.
	 * @return the help lines, never {@code null}
	 */
	public List<String> getHelp() {
		return this.remedies.stream()
			.map((remedy) -> LockFailureFormat.remedy(remedy, LockFailureFormat.IN_CODE))
			.toList();
	}

	/**
	 * Facts of a {@link LockException}, set one by one.
	 */
	public static final class Builder {

		private final LockErrorType type;

		private final String summary;

		private @Nullable HolderRecord holder;

		private @Nullable String location;

		private final List<LockRemedy> remedies = new ArrayList<>();

		private @Nullable Throwable cause;

		private Builder(LockErrorType type, String summary) {
			this.type = Objects.requireNonNull(type, "'type' must not be null");
			this.summary = Objects.requireNonNull(summary, "'summary' must not be null");
		}

		/**
		 * Set the holder.
		 * @param holder the holder, if known
		 * @return this builder
		 */
		public Builder holder(@Nullable HolderRecord holder) {
			this.holder = holder;
			return this;
		}

		/**
		 * Set the lock location.
		 * @param location the location, if relevant
		 * @return this builder
		 */
		public Builder location(@Nullable String location) {
			this.location = location;
			return this;
		}

		/**
		 * Add a solution that changes no setting.
		 * @param text what to do
		 * @return this builder
		 */
		public Builder help(String text) {
			return remedy(LockRemedy.of(text));
		}

		/**
		 * Add solutions that change no setting.
		 * @param help what to do, in order; may be {@code null}
		 * @return this builder
		 */
		public Builder help(@Nullable List<String> help) {
			if (help != null) {
				help.forEach(this::help);
			}
			return this;
		}

		/**
		 * Add a solution that sets a setting.
		 * @param text what to do
		 * @param setting the setting
		 * @param value the value, or {@code null} to name the setting only
		 * @return this builder
		 */
		public Builder remedy(String text, LockSetting setting, @Nullable String value) {
			return remedy(LockRemedy.of(text, setting, value));
		}

		/**
		 * Add a solution.
		 * @param remedy the remedy
		 * @return this builder
		 */
		public Builder remedy(LockRemedy remedy) {
			this.remedies.add(remedy);
			return this;
		}

		/**
		 * Add solutions.
		 * @param remedies the remedies, in order
		 * @return this builder
		 */
		public Builder remedies(List<LockRemedy> remedies) {
			this.remedies.addAll(remedies);
			return this;
		}

		/**
		 * Set the underlying failure.
		 * @param cause the cause, may be {@code null}
		 * @return this builder
		 */
		public Builder cause(@Nullable Throwable cause) {
			this.cause = cause;
			return this;
		}

		/**
		 * Create the exception.
		 * @return the exception
		 */
		public LockException build() {
			return new LockException(this);
		}

	}

}
