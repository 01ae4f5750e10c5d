import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./all";

// Serves the pack to the Pulumi engine (`pulumi preview --policy-pack policies`).
new PolicyPack("platform-safety", { policies: POLICIES });
