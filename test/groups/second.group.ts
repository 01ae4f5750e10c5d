import { loadGroup } from "./groups";

loadGroup(1);
