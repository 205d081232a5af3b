package io.stowage.k8s;

/** One {@code x-kubernetes-validations} entry: a CEL expression and the message the API server returns when it is false. */
record CelRule(String rule, String message) {
}
