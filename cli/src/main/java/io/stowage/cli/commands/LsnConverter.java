package io.stowage.cli.commands;

import io.stowage.postgres.WalSegments;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.regex.Pattern;

/** A recovery target LSN as PostgreSQL prints it ({@code 0/3000028}), given back in upper case. */
public class LsnConverter implements ITypeConverter<String> {
    /** The contract's LSN: two hex numbers of up to 8 digits. */
    private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    @Override
    public String convert(String value) {
        String lsn = value.strip();
        if (!LSN.matcher(lsn).matches()) {
            throw new TypeConversionException("'" + value + "' is not an LSN: two hex numbers of up to 8 digits,"
                    + " as pg_current_wal_lsn() prints them, e.g. 0/3000028");
        }
        return WalSegments.formatLsn(WalSegments.parseLsn(lsn));
    }
}
