// What the shell gives every screen: the signed-in session.
import type { Session } from '../session.ts';

export type ScreenProps = { session: Session };
