import { loadGroup } from "./groups";

loadGroup(0);
