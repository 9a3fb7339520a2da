package io.forwardlock.autoconfigure;

import java.util.OptionalLong;

import io.forwardlock.lifecycle.ForwardLock;

/**
 * The {@link ForwardLock} of an application that runs with
 * {@code forward.lock.enabled=false}: there is no lock, so guarded work that injects
 * {@code ForwardLock} still starts and {@link #ensureHeld()} lets it run, without a
 * fencing token.
 */
final class DisabledForwardLock implements ForwardLock {

	@Override
	public OptionalLong ensureHeld() {
		return OptionalLong.empty();
	}

	@Override
	public String toString() {
		return "ForwardLock[disabled by forward.lock.enabled=false]";
	}

}
