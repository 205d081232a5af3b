package io.stowage.localstack;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The RBAC permission a request to the Kubernetes API needs, read from its method and path, so that a test can check
 * a shipped role against the requests a service made to the mock API server.
 */
public final class ApiPermissions {
    private ApiPermissions() {
    }

    /**
     * As {@code "<group> <resource>[/<subresource>] <verb>"}; empty for discovery and other non-resource paths
     * (every authenticated client may read them).
     */
    public static Optional<String> of(String method, String pathAndQuery) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        String query = pathAndQuery.contains("?") ? pathAndQuery.substring(pathAndQuery.indexOf('?') + 1) : "";
        List<String> parts = List.of(path.substring(1).split("/"));
        String group;
        List<String> rest;
        if (parts.size() > 2 && parts.get(0).equals("api")) {
            group = "";
            rest = parts.subList(2, parts.size());
        } else if (parts.size() > 3 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            rest = parts.subList(3, parts.size());
        } else {
            return Optional.empty();
        }
        if (rest.size() >= 2 && rest.get(0).equals("namespaces")) {
            rest = rest.subList(2, rest.size());
        }
        if (rest.isEmpty()) {
            return Optional.empty();
        }
        String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
        boolean named = rest.size() > 1;
        String verb = switch (method) {
            case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase(Locale.ROOT);
        };
        return Optional.of(group + " " + resource + " " + verb);
    }
}
