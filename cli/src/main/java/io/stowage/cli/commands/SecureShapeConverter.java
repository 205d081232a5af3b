package io.stowage.cli.commands;

import io.stowage.localstack.BrokerSecurity;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/** {@code up --secure[=SHAPE]}: {@code sasl_ssl} or {@code mtls}, in any case, {@code -} for {@code _}. */
class SecureShapeConverter implements ITypeConverter<BrokerSecurity> {
    @Override
    public BrokerSecurity convert(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "sasl_ssl" -> BrokerSecurity.SASL_SSL;
            case "mtls" -> BrokerSecurity.MTLS;
            default -> throw new TypeConversionException("'" + value + "' is not a secured shape: sasl_ssl (SCRAM-SHA-512"
                    + " over TLS) or mtls (client certificates)");
        };
    }
}
