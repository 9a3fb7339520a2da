package io.forwardlock.lock.kubernetes;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import io.forwardlock.lock.LockBackendContractTests;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

/**
 * Hooks of the contract kit shared by the mock and the real cluster runs.
 */
abstract class KubernetesLeaseContractHooks extends LockBackendContractTests {

	abstract KubernetesClient client();

	abstract String namespace();

	/**
	 * Take the Lease over behind the holder's back, as another tool would: a new holder
	 * and a higher fencing token, in a guarded update.
	 */
	@Override
	protected void breakLease(LockLease lease, LockRequest request) {
		Lease current = client().leases().inNamespace(namespace()).withName(request.name()).get();
		Map<String, String> annotations = new LinkedHashMap<>(current.getMetadata().getAnnotations());
		annotations.put(KubernetesLeaseBackend.FENCING_TOKEN,
				Long.toString(KubernetesLeaseRecords.fencingToken(current) + 1));
		client()
			.resource(new LeaseBuilder(current).editMetadata()
				.withAnnotations(annotations)
				.endMetadata()
				.editSpec()
				.withHolderIdentity("intruder")
				.endSpec()
				.build())
			.update();
	}

	@Override
	protected boolean supportsFencingTokens() {
		return true;
	}

}
