import { z } from "zod";

/** Number kinds every part of the scenario schema uses. */
export const positive = z.number().positive();
export const nonNegative = z.number().nonnegative();
export const probability = z.number().min(0).max(1);
