package io.cnnsee.bench;

/** A main for AllBenchmarksTest: writes a line to each stream, then exits with the code it is given. */
public final class Exits {

    private Exits() {
    }

    public static void main(String[] args) {
        System.out.println("out: " + args[0]);
        System.err.println("err: " + args[0]);
        System.exit(Integer.parseInt(args[0]));
    }
}
