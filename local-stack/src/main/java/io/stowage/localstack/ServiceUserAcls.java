package io.stowage.localstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What {@link BrokerUser#SERVICE} may do on a secured broker: what the services and the CLI do (read and write topics,
 * consumer groups, transactions), and nothing an administrator does (create or delete topics, change configs, ACLs or
 * users). The admin and the broker itself are super users and need no ACL.
 */
final class ServiceUserAcls {
    private static final Duration VISIBLE_TIMEOUT = Duration.ofSeconds(30);

    private ServiceUserAcls() {
    }

    static List<AclBinding> bindings() {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, ResourceType.TOPIC, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS);
        allow(acls, ResourceType.GROUP, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, ResourceType.TRANSACTIONAL_ID, AclOperation.WRITE, AclOperation.DESCRIBE);
        return acls;
    }

    /**
     * Grants them (idempotent: granted again on every start, so that a change here reaches old work directories) and
     * waits until the broker's authorizer applies them: the controller stores ACLs, and the broker learns of them
     * from the metadata log a moment later.
     */
    static void grant(Admin admin) throws InterruptedException, ExecutionException {
        List<AclBinding> wanted = bindings();
        admin.createAcls(wanted).all().get();
        AclBindingFilter ours = new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(
                BrokerUser.SERVICE.principal(), null, AclOperation.ANY, AclPermissionType.ANY));
        Poll.until(VISIBLE_TIMEOUT, () -> {
            try {
                return new HashSet<>(admin.describeAcls(ours).values().get()).containsAll(wanted)
                        ? Optional.of(true) : Optional.<Boolean>empty();
            } catch (ExecutionException notYet) {
                return Optional.empty();
            }
        }).orElseThrow(() -> new IllegalStateException("The ACLs of " + BrokerUser.SERVICE.principal()
                + " were not in force " + VISIBLE_TIMEOUT.toSeconds() + " s after they were created"));
    }

    private static void allow(List<AclBinding> acls, ResourceType type, AclOperation... operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, ResourcePattern.WILDCARD_RESOURCE, PatternType.LITERAL),
                    new AccessControlEntry(BrokerUser.SERVICE.principal(), "*", operation, AclPermissionType.ALLOW)));
        }
    }
}
