package io.stowage.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version printed by {@code --version}: the Maven project version, filtered into a resource at build time. */
public class StowageVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[]{"stowage " + version()};
    }

    /** The project version, or "unknown" when the resource is missing (an unfiltered build). */
    public static String version() {
        Properties props = new Properties();
        try (InputStream in = StowageVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return props.getProperty("version", "unknown");
    }
}
