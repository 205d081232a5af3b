package io.stowage.restore.plan;

/** A restore refused before anything was touched: which check, and why, in words a DBA acts on. */
public final class Refusal extends Exception {
    private final String check;

    public Refusal(String check, String reason) {
        super(reason);
        this.check = check;
    }

    public String check() {
        return check;
    }
}
