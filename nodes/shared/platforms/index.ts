import type { PlatformAdapter } from '../adapter';
import type { Platform } from '../types';
import { chatwoot } from './chatwoot';
import { freescout } from './freescout';

export const PLATFORMS: Record<Platform, PlatformAdapter> = { chatwoot, freescout };
