package gadgets;

/**
 * Stands for a deserialization gadget: a class on the classpath, outside every allowlist, whose
 * loading or construction has an effect. Here the effect is a line in {@link GadgetLog}. Never
 * referenced by a test: only a planted session value names it.
 */
public class PlantedGadget {

    static {
        GadgetLog.record("PlantedGadget loaded");
    }

    public PlantedGadget() {
        GadgetLog.record("PlantedGadget constructed");
    }

    public void setCommand(String command) {
        GadgetLog.record("PlantedGadget.setCommand(" + command + ")");
    }
}
