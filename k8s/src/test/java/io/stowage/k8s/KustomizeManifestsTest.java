package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.stowage.events.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kustomize base and overlays, rendered by the real tool ({@code kubectl kustomize}), read into Fabric8's model
 * and applied to the mock API server; each Deployment checked against its service as the build defines it (image,
 * port, health endpoints) and against what a production cluster asks of a pod.
 */
class KustomizeManifestsTest {
    static final List<String> SERVICES = List.of("config-service", "backup-service", "resync-service",
            "restore-service");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    static KubernetesMockServer api;
    static KubernetesClient kube;

    @BeforeAll
    static void start() {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(api.url("/"))
                .withTrustCerts(true).build()).build();
    }

    @AfterAll
    static void stop() {
        if (kube != null) {
            kube.close();
        }
        if (api != null) {
            api.destroy();
        }
    }

    /** {@code kubectl kustomize <dir>}, read into Fabric8's model (a kind it does not know, as a generic resource). */
    static List<HasMetadata> render(String dir) throws IOException, InterruptedException {
        Process kustomize = new ProcessBuilder("kubectl", "kustomize", dir).redirectErrorStream(true).start();
        byte[] out = kustomize.getInputStream().readAllBytes();
        assertThat(kustomize.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kustomize.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
        List<HasMetadata> resources = new ArrayList<>();
        for (String doc : new String(out, StandardCharsets.UTF_8).split("(?m)^---$")) {
            if (!doc.isBlank()) {
                resources.add(SERIALIZATION.unmarshal(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8))));
            }
        }
        return resources;
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/prometheus", "overlays/strimzi"})
    void everyManifestReadsIntoTheModelAndAppliesToTheApiServer(String dir) throws Exception {
        List<HasMetadata> resources = render(dir);
        assertThat(resources).isNotEmpty().allSatisfy(r -> assertThat(r.getMetadata().getName()).isNotBlank());
        // The test client has no default namespace: a namespaced resource without one fails to apply, as it would
        // land in whatever namespace kubectl points at. The mock API server learns a custom kind from its CRD, as a real one does: Stowage's CRDs come with the
        // manifests; the Prometheus Operator's and Strimzi's are the operators' to install.
        for (HasMetadata r : resources) {
            if (r instanceof GenericKubernetesResource g && !g.getApiVersion().startsWith("stowage.io")) {
                registerKind(g);
            }
        }
        resources.stream().filter(CustomResourceDefinition.class::isInstance).forEach(this::apply);
        resources.stream().filter(r -> !(r instanceof CustomResourceDefinition)).forEach(this::apply);
        for (HasMetadata r : resources) {
            assertThat(kube.resource(r).get()).as(r.getKind() + " " + r.getMetadata().getName()).isNotNull();
        }
    }

    private void apply(HasMetadata r) {
        kube.resource(r).createOr(existing -> existing.update());
    }

    private static void registerKind(GenericKubernetesResource r) {
        String group = r.getApiVersion().substring(0, r.getApiVersion().indexOf('/'));
        String version = r.getApiVersion().substring(r.getApiVersion().indexOf('/') + 1);
        String plural = r.getKind().toLowerCase() + "s";
        CustomResourceDefinition crd = new CustomResourceDefinitionBuilder().withNewMetadata()
                .withName(plural + "." + group).endMetadata().withNewSpec().withGroup(group).withScope("Namespaced")
                .withNewNames().withKind(r.getKind()).withPlural(plural).withSingular(r.getKind().toLowerCase())
                .endNames().addNewVersion().withName(version).withServed(true).withStorage(true).endVersion()
                .endSpec().build();
        kube.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(existing -> existing.update());
    }

    @Test
    void eachServiceRunsAsTheBuildDefinesIt_probedOnItsHealthEndpoints_asAProductionPodShould() throws Exception {
        List<HasMetadata> base = render("base");
        String version = projectVersion();
        Set<String> accounts = base.stream().filter(ServiceAccount.class::isInstance)
                .map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
        for (String service : SERVICES) {
            Deployment d = (Deployment) only(base, Deployment.class, "stowage-" + service);
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getImage()).as(service + ": the image its build defines").isEqualTo(builtImage(service,
                    version));
            int port = httpPort(service);
            assertThat(c.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getContainerPort()).as(service + " quarkus.http.port").isEqualTo(port);
                assertThat(p.getName()).isEqualTo("http");
            });
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
            assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
            assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).containsKey("memory");
            var pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(pod.getTopologySpreadConstraints()).isNotEmpty();
            assertThat(accounts).as(service + "'s ServiceAccount").contains(pod.getServiceAccountName());
            assertThat(c.getEnvFrom()).anySatisfy(e -> assertThat(e.getConfigMapRef().getName())
                    .isEqualTo("stowage-kafka"));
            // Settings by their environment names: each must be a setting the service documents.
            for (EnvVar env : c.getEnv()) {
                if (env.getName().startsWith("STOWAGE_")) {
                    assertThat(settingNames(service)).as(service + " " + env.getName())
                            .contains(env.getName());
                }
            }

            PodDisruptionBudget pdb = (PodDisruptionBudget) only(base, PodDisruptionBudget.class, "stowage-" + service);
            assertThat(pdb.getSpec().getSelector().getMatchLabels())
                    .isEqualTo(d.getSpec().getSelector().getMatchLabels());
            Service svc = (Service) only(base, Service.class, "stowage-" + service);
            assertThat(svc.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
            assertThat(d.getMetadata().getNamespace()).isEqualTo("stowage");
        }
        // Every binding names an account the manifests create, in the namespace they create it in.
        for (HasMetadata r : base) {
            List<Subject> subjects = r instanceof ClusterRoleBinding b ? b.getSubjects()
                    : r instanceof RoleBinding b ? b.getSubjects() : List.of();
            for (Subject s : subjects) {
                assertThat(accounts).as(r.getMetadata().getName()).contains(s.getName());
                assertThat(s.getNamespace()).isEqualTo("stowage");
            }
        }
    }

    @Test
    void thePrometheusRulesAreThoseOfTheOperationsGuide() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));
        int start = guide.indexOf("groups:\n  - name: stowage");
        JsonNode documented = yaml.readTree(guide.substring(start, guide.indexOf("```", start)));
        JsonNode shipped = yaml.readTree(Path.of("overlays", "prometheus", "prometheusrule.yaml").toFile());
        assertThat(shipped.path("spec")).isEqualTo(documented);
        assertThat(render("overlays/prometheus")).filteredOn(GenericKubernetesResource.class::isInstance)
                .extracting(HasMetadata::getKind).containsExactlyInAnyOrder("ServiceMonitor", "PrometheusRule");
    }

    /**
     * Each service's KafkaUser: named as the Secret its Deployment reads; its consumer groups exactly the group ids of
     * the service's channels (and backup-service's archivers' group), each of its channels' topics readable, every
     * topic it names a contract topic, nothing wildcard. That the ACLs are enough is SecureStackIT's part (each
     * service runs as its user there); that they are no more was measured (users.yaml says how).
     */
    @Test
    void eachServicesKafkaUserIsAllowedItsOwnTopicsAndGroups_nothingWildcard() throws Exception {
        Map<String, GenericKubernetesResource> users = render("overlays/strimzi").stream()
                .filter(r -> r.getKind().equals("KafkaUser")).map(GenericKubernetesResource.class::cast)
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r));
        Set<String> contract = Topics.ALL.stream().map(Topics.TopicSpec::name).collect(Collectors.toSet());
        List<HasMetadata> base = render("base");
        for (String service : SERVICES) {
            GenericKubernetesResource user = users.get("stowage-" + service);
            assertThat(user).as("a KafkaUser for " + service).isNotNull();
            Deployment d = (Deployment) only(base, Deployment.class, "stowage-" + service);
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("KAFKA_SASL_JAAS_CONFIG");
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(user.getMetadata().getName());
            });
            Map<String, Set<String>> topics = new HashMap<>();
            Set<String> groups = new TreeSet<>();
            for (Map<?, ?> acl : acls(user)) {
                Map<?, ?> resource = (Map<?, ?>) acl.get("resource");
                String name = String.valueOf(resource.get("name"));
                assertThat(name).as(service + ": no wildcard").isNotEqualTo("*");
                @SuppressWarnings("unchecked")
                List<String> operations = (List<String>) acl.get("operations");
                switch (String.valueOf(resource.get("type"))) {
                    case "topic" -> topics.computeIfAbsent(name, n -> new TreeSet<>()).addAll(operations);
                    case "group" -> groups.add(name);
                    case "transactionalId" -> assertThat(name).isEqualTo("stowage-" + service + "-");
                    default -> throw new AssertionError(service + ": an ACL on " + resource);
                }
            }
            assertThat(contract).as(service + "'s topics are the contract's").containsAll(topics.keySet());
            Properties p = properties(service);
            Set<String> channelGroups = new TreeSet<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".group.id")) {
                    // A setting with a default (${stowage.restore.group:stowage-restore-service}): the default is
                    // what the manifests run with.
                    channelGroups.add(p.getProperty(key).replaceAll("^\\$\\{[^:}]+:([^}]*)}$", "$1"));
                }
                if (key.startsWith("mp.messaging.incoming.")
                        && (key.endsWith(".topic") || key.endsWith(".topics"))) {
                    for (String topic : p.getProperty(key).split(",")) {
                        assertThat(topics.getOrDefault(topic.strip(), Set.of())).as(service + " reads " + topic)
                                .contains("Read");
                    }
                }
            }
            if (service.equals("backup-service")) {
                channelGroups.add("stowage-wal-archivers");
            }
            assertThat(groups).as(service + "'s consumer groups").isEqualTo(channelGroups);
            assertThat(topics.getOrDefault(Topics.REJECTED, Set.of())).as(service + " rejects bad input")
                    .contains("Write");
        }
        assertThat(users.keySet()).as("a user per service, none else (restore Jobs have no Kafka login)")
                .containsExactlyInAnyOrderElementsOf(SERVICES.stream().map(s -> "stowage-" + s).toList());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> acls(GenericKubernetesResource user) {
        Map<?, ?> spec = (Map<?, ?>) user.getAdditionalProperties().get("spec");
        return (List<Map<?, ?>>) ((Map<?, ?>) spec.get("authorization")).get("acls");
    }

    @Test
    void theStrimziTopicsAreTheContractsWithItsCleanupPolicies() throws Exception {
        Map<String, GenericKubernetesResource> topics = render("overlays/strimzi").stream()
                .filter(r -> r.getKind().equals("KafkaTopic")).map(GenericKubernetesResource.class::cast)
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r));
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(
                Topics.ALL.stream().map(Topics.TopicSpec::name).toList());
        Set<Object> partitions = new TreeSet<>();
        for (Topics.TopicSpec spec : Topics.ALL) {
            Map<?, ?> topicSpec = (Map<?, ?>) topics.get(spec.name()).getAdditionalProperties().get("spec");
            Map<?, ?> config = (Map<?, ?>) topicSpec.get("config");
            spec.configs().forEach((k, v) -> assertThat(String.valueOf(config.get(k))).as(spec.name() + " " + k)
                    .isEqualTo(v));
            assertThat(((Number) config.get("min.insync.replicas")).intValue()).isGreaterThanOrEqualTo(2);
            partitions.add(topicSpec.get("partitions"));
        }
        assertThat(partitions).as("the same partitions on every topic").hasSize(1);
    }

    private static HasMetadata only(List<HasMetadata> resources, Class<?> type, String name) {
        List<HasMetadata> found = resources.stream().filter(type::isInstance)
                .filter(r -> r.getMetadata().getName().equals(name)).toList();
        assertThat(found).as(type.getSimpleName() + " " + name).hasSize(1);
        return found.get(0);
    }

    private static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>stowage-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("..", "pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static int httpPort(String service) throws IOException {
        return Integer.parseInt(properties(service).getProperty("quarkus.http.port"));
    }

    /**
     * The image the build defines: {@code quarkus.container-image.group}/name/tag, the name and tag by Quarkus'
     * defaults (the module's artifactId and the project's version); the Dockerfile is the Quarkus convention's.
     */
    private static String builtImage(String service, String version) throws IOException {
        Properties p = properties(service);
        assertThat(Path.of("..", service, "src", "main", "docker", "Dockerfile.jvm")).exists();
        return p.getProperty("quarkus.container-image.group") + "/"
                + p.getProperty("quarkus.container-image.name", service) + ":"
                + p.getProperty("quarkus.container-image.tag", version);
    }

    private static Properties properties(String service) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("..", service, "src", "main", "resources",
                "application.properties"))) {
            p.load(in);
        }
        return p;
    }

    /**
     * The environment names of the {@code stowage.*} settings a service's README documents (Quarkus maps
     * {@code stowage.a-b.c} to {@code STOWAGE_A_B_C}).
     */
    private static Set<String> settingNames(String service) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("stowage\\.[a-z0-9.-]*[a-z0-9]").matcher(Files.readString(Path.of("..", service,
                "README.md")));
        while (m.find()) {
            names.add(m.group().replaceAll("[.-]", "_").toUpperCase());
        }
        return names;
    }
}
