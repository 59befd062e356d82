/** The platforms both nodes offer. A new platform is one more folder beside these and one more entry here. */
import { PlatformRegistry } from '../core/platform';
import { chatwoot } from './chatwoot';
import { freescout } from './freescout';

export const platforms = new PlatformRegistry([chatwoot, freescout]);
