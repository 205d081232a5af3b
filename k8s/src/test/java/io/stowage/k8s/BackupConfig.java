package io.stowage.k8s;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import io.stowage.events.spec.BackupConfigSpec;

/** A typed BackupConfig whose spec is the contract's own record, as a config-service would read it. */
@Group("stowage.io")
@Version("v1alpha1")
public class BackupConfig extends CustomResource<BackupConfigSpec, BackupConfigStatus> implements Namespaced {
    public static final String RESYNC_ANNOTATION = "stowage.io/resync";
}
