package io.forwardlock.lock.zookeeper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.testsupport.OverlapJournal;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several JVMs, each with its own ZooKeeper session, against a ZooKeeper server in a JVM
 * of its own, which the tests can stop and restart. The journal that holders append to is
 * the outside verifier: it trusts nothing of the lock.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ZookeeperLockBackendMultiProcessTests {

	private static final int PROCESSES = 5;

	private static final int ROUNDS = 30;

	private static final Duration SESSION = ZookeeperTestServer.SESSION_TIMEOUT;

	/**
	 * Session timeout for the restart tests: the longest the test server grants, so that
	 * a session can outlive a stop and restart on a loaded machine.
	 */
	private static final Duration RESTART_SESSION = Duration.ofMillis(20 * ZookeeperTestServer.TICK_MILLIS);

	private static final Duration WAIT = Duration.ofSeconds(60);

	@TempDir
	Path directory;

	private final List<ChildJvm> children = new ArrayList<>();

	private ChildJvm server;

	private String connectString;

	private OverlapJournal journal;

	@BeforeEach
	void startServer() throws Exception {
		this.server = ChildJvm.start(ZookeeperServerProcess.class);
		this.connectString = this.server.await(WAIT, "READY").substring(6);
		this.journal = new OverlapJournal(this.directory.resolve("journal"));
	}

	@AfterEach
	void stopAll() {
		this.children.forEach(ChildJvm::close);
		if (this.server != null) {
			this.server.close();
		}
	}

	private ChildJvm child(String lockName) throws Exception {
		return child(lockName, SESSION);
	}

	private ChildJvm child(String lockName, Duration session) throws Exception {
		ChildJvm child = ChildJvm.start(ZookeeperLockChildProcess.class, this.connectString, lockName,
				Long.toString(session.toMillis()), this.journal.file().toString());
		this.children.add(child);
		child.await(WAIT, "READY");
		return child;
	}

	@Test
	void jvmsRacingForOneLockNeverHoldItAtTheSameTimeAndTokensIncrease() throws Exception {
		List<ChildJvm> racers = new ArrayList<>();
		for (int i = 0; i < PROCESSES; i++) {
			racers.add(child("race"));
		}
		for (ChildJvm racer : racers) {
			racer.send("race " + ROUNDS);
		}
		long attempts = 0;
		for (ChildJvm racer : racers) {
			attempts += Long.parseLong(racer.await(Duration.ofSeconds(120), "DONE", "ERROR").substring(5));
		}
		OverlapJournal.Verdict verdict = this.journal.verdict();
		assertThat(verdict.entries()).isEqualTo(PROCESSES * ROUNDS);
		assertThat(verdict.overlaps()).isZero();
		assertThat(verdict.tokenRegressions()).isZero();
		Map<Long, Integer> perToken = new HashMap<>();
		verdict.tokens().forEach((token) -> perToken.merge(token, 1, Integer::sum));
		assertThat(perToken).allSatisfy((token, count) -> assertThat(count).isOne());
		System.out.printf(
				"ZooKeeper multi-process race: %d JVMs x %d rounds = %d acquisitions in %d attempts, "
						+ "%d overlaps, tokens %d..%d strictly increasing%n",
				PROCESSES, ROUNDS, verdict.entries(), attempts, verdict.overlaps(), verdict.tokens().get(0),
				verdict.tokens().get(verdict.tokens().size() - 1));
	}

	@Test
	void killedHolderIsReplacedByStandbyWithinSessionTimeoutPlusOneSecond() throws Exception {
		ChildJvm holder = child("kill");
		ChildJvm standby = child("kill");
		long firstToken = Long.parseLong(holder.ask("acquire", WAIT, "ACQUIRED", "BUSY").split(" ")[1]);
		standby.send("block");
		holder.kill();
		long killedAt = System.nanoTime();
		String[] acquired = standby.await(WAIT, "ACQUIRED", "ERROR").split(" ");
		long takeover = Long.parseLong(acquired[2]) - killedAt;
		System.out.printf("ZooKeeper takeover after SIGKILL: %d ms (session timeout %d ms)%n",
				TimeUnit.NANOSECONDS.toMillis(takeover), SESSION.toMillis());
		assertThat(Long.parseLong(acquired[1])).isGreaterThan(firstToken);
		assertThat(Duration.ofNanos(takeover)).isLessThanOrEqualTo(SESSION.plusSeconds(1));
	}

	@Test
	void stoppedHolderReportsTheLossOnResumeBeforeAnyFurtherWork() throws Exception {
		ChildJvm holder = child("pause");
		ChildJvm standby = child("pause");
		assertThat(holder.ask("acquire", WAIT, "ACQUIRED", "BUSY")).startsWith("ACQUIRED");
		assertThat(holder.ask("work", WAIT, "WORKED", "LOST", "ERROR")).startsWith("WORKED");
		standby.send("block");
		holder.signal("STOP");
		String[] acquired = standby.await(WAIT, "ACQUIRED", "ERROR").split(" ");
		assertThat(standby.ask("work", WAIT, "WORKED", "LOST", "ERROR")).startsWith("WORKED");
		// The command waits in the pipe; the first thing the holder does on resume is to
		// try to work.
		holder.send("work");
		holder.signal("CONT");
		assertThat(holder.await(WAIT, "WORKED", "LOST", "ERROR")).startsWith("LOST");
		assertThat(standby.ask("verify", WAIT, "VERIFY")).startsWith("VERIFY HELD");
		OverlapJournal.Verdict verdict = this.journal.verdict();
		assertThat(verdict.entries()).isEqualTo(2);
		assertThat(verdict.tokens().get(1)).isEqualTo(Long.parseLong(acquired[1]));
		assertThat(verdict.overlaps()).isZero();
		assertThat(verdict.tokenRegressions()).isZero();
	}

	@Test
	void holderKeepsTheLockThroughAServerRestartShorterThanTheSession() throws Exception {
		ChildJvm holder = child("restart-short", RESTART_SESSION);
		ChildJvm contender = child("restart-short", RESTART_SESSION);
		String token = holder.ask("acquire", WAIT, "ACQUIRED", "BUSY").split(" ")[1];
		this.server.ask("stop", WAIT, "STOPPED");
		this.server.ask("restart", WAIT, "RESTARTED");
		// Held again once the client has reconnected with the same session; until then
		// the holder cannot tell.
		String answer = holder.ask("work", WAIT, "WORKED", "LOST", "ERROR");
		while (answer.startsWith("ERROR")) {
			answer = holder.ask("work", WAIT, "WORKED", "LOST", "ERROR");
		}
		System.out.println("ZooKeeper server restart during a hold: the holder reports " + answer);
		if (answer.startsWith("WORKED")) {
			assertThat(answer).isEqualTo("WORKED " + token);
			assertThat(contender.ask("acquire", WAIT, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("BUSY");
		}
		contender.send("block");
		holder.ask("release", WAIT, "RELEASED", "ERROR");
		String acquired = contender.await(WAIT, "ACQUIRED", "ERROR");
		assertThat(acquired).startsWith("ACQUIRED");
		assertThat(Long.parseLong(acquired.split(" ")[1])).isGreaterThan(Long.parseLong(token));
		assertThat(this.journal.verdict().overlaps()).isZero();
	}

	@Test
	void holderLosesTheLockWhenTheServerIsDownForLongerThanTheSession() throws Exception {
		ChildJvm holder = child("restart-long");
		assertThat(holder.ask("acquire", WAIT, "ACQUIRED", "BUSY")).startsWith("ACQUIRED");
		this.server.ask("stop", WAIT, "STOPPED");
		// With the ensemble gone, only the holder's own deadline can tell it; it must not
		// need the server to come back.
		String answer = holder.ask("work", WAIT, "WORKED", "LOST", "ERROR");
		long started = System.nanoTime();
		while (!answer.startsWith("LOST") && System.nanoTime() - started < SESSION.multipliedBy(10).toNanos()) {
			answer = holder.ask("work", WAIT, "WORKED", "LOST", "ERROR");
		}
		assertThat(answer).startsWith("LOST");
		this.server.ask("restart", WAIT, "RESTARTED");
		ChildJvm successor = child("restart-long");
		assertThat(successor.ask("block", WAIT, "ACQUIRED", "ERROR")).startsWith("ACQUIRED");
		assertThat(holder.ask("work", WAIT, "WORKED", "LOST", "ERROR")).startsWith("LOST");
		assertThat(this.journal.verdict().overlaps()).isZero();
	}

	@Test
	void standbyRidesOutAServerRestartAndTakesOverOnRelease() throws Exception {
		ChildJvm holder = child("restart-standby", RESTART_SESSION);
		ChildJvm standby = child("restart-standby", RESTART_SESSION);
		String token = holder.ask("acquire", WAIT, "ACQUIRED", "BUSY").split(" ")[1];
		standby.send("block");
		this.server.ask("stop", WAIT, "STOPPED");
		this.server.ask("restart", WAIT, "RESTARTED");
		String answer = holder.ask("work", WAIT, "WORKED", "LOST", "ERROR");
		while (answer.startsWith("ERROR")) {
			answer = holder.ask("work", WAIT, "WORKED", "LOST", "ERROR");
		}
		holder.ask("release", WAIT, "RELEASED", "ERROR");
		String acquired = standby.await(WAIT, "ACQUIRED", "ERROR");
		assertThat(acquired).startsWith("ACQUIRED");
		assertThat(Long.parseLong(acquired.split(" ")[1])).isGreaterThan(Long.parseLong(token));
		assertThat(standby.ask("work", WAIT, "WORKED", "LOST", "ERROR")).startsWith("WORKED");
		assertThat(standby.transcript()).noneMatch((line) -> line.startsWith("ERROR"));
		OverlapJournal.Verdict verdict = this.journal.verdict();
		assertThat(verdict.overlaps()).isZero();
		assertThat(verdict.tokenRegressions()).isZero();
	}

}
