package io.stowage.k8s;

import io.fabric8.kubernetes.api.model.Condition;

import java.util.List;
import java.util.Map;

/** The status a config-service writes, shaped as the CRD's status schema (test-only: the service owns the real one). */
public record BackupConfigStatus(
        Long observedGeneration,
        String main,
        List<String> profiles,
        List<Condition> conditions,
        Map<String, Object> lastRejection) {
}
