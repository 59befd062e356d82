/**
 * Which conversation on the other platform a change is synced to. Each conversation of a pair keeps its
 * counterpart's id in a field people can see and edit (a Chatwoot custom attribute, a FreeScout custom field).
 * Without one, the customer's e-mail address finds the counterpart when exactly one conversation of that customer
 * is still unpaired there; the pair is then written on both sides, so later changes go straight to it.
 */
import type { ConversationSnapshot } from './conversation-api';
import { ApiCallError, InvalidParameterError } from './conversation-api';
import type { Session } from './operations';
import { readConversation } from './operations';
import type { ApiRequest } from '../http';
import { positiveInteger } from '../json';

export interface PairingOptions {
	/** A counterpart id given by the user (their own lookup): used as it is and not written anywhere. */
	counterpartId: number | null;
	/** Look for the counterpart by the customer's e-mail address when no id is kept. */
	byEmail: boolean;
	/** The field that keeps the counterpart's id, on the source and on the target platform (null: it has none). */
	sourceField: string | null;
	targetField: string | null;
}

export type PairedBy = 'given' | 'stored' | 'email';

export type Counterpart =
	| { found: true; conversation: ConversationSnapshot; pairedBy: PairedBy; writeOnSource: boolean; writeOnTarget: boolean }
	| { found: false; reason: string };

const name = (session: Session, conversationId: number) => `${session.api.displayName} conversation ${conversationId}`;

/** The counterpart id a conversation keeps in `field`, or null. */
const keptId = (conversation: ConversationSnapshot, field: string | null) => (field === null ? null : positiveInteger(conversation.attributes[field]));

export async function findCounterpart(
	sessions: { source: Session; target: Session },
	sourceConversation: ConversationSnapshot,
	options: PairingOptions,
): Promise<Counterpart> {
	const { source, target } = sessions;
	const sourceId = sourceConversation.conversationId;
	if (options.counterpartId !== null) {
		const conversation = await readConversation(target, options.counterpartId);
		return { found: true, conversation, pairedBy: 'given', writeOnSource: false, writeOnTarget: false };
	}
	const storedId = keptId(sourceConversation, options.sourceField);
	if (storedId !== null) {
		const conversation = await readConversation(target, storedId);
		const pointsAt = keptId(conversation, options.targetField);
		if (pointsAt !== null && pointsAt !== sourceId) {
			return {
				found: false,
				reason: `${name(source, sourceId)} keeps ${storedId} as its counterpart, but ${name(target, storedId)} keeps ${pointsAt}: correct one of the two`,
			};
		}
		return { found: true, conversation, pairedBy: 'stored', writeOnSource: false, writeOnTarget: pointsAt === null };
	}
	const kind = source.api.pairing?.fieldKind;
	const field = kind === undefined || options.sourceField === null ? null : `the ${source.api.displayName} ${kind} "${options.sourceField}"`;
	const where = field === null ? 'no counterpart id' : `nothing in ${field}`;
	const search = target.api.pairing;
	if (!options.byEmail || search === undefined) return { found: false, reason: `not paired: ${name(source, sourceId)} has ${where}` };
	const email = sourceConversation.contactEmail;
	if (email === null) return { found: false, reason: `not paired: ${name(source, sourceId)} has ${where} and no customer e-mail address` };

	const call = async (request: ApiRequest) => await target.ok(request, { conversationId: null, action: 'pairing' });
	const candidates = await search.findByContactEmail(call, target.scope, email);
	const pointingBack = candidates.find((c) => keptId(c, options.targetField) === sourceId);
	if (pointingBack) return { found: true, conversation: pointingBack, pairedBy: 'email', writeOnSource: true, writeOnTarget: false };
	const unpaired = candidates.filter((c) => keptId(c, options.targetField) === null);
	if (unpaired.length === 1) {
		return { found: true, conversation: unpaired[0], pairedBy: 'email', writeOnSource: true, writeOnTarget: true };
	}
	const on = `on ${target.api.displayName}`;
	if (unpaired.length === 0) return { found: false, reason: `not paired: no unpaired conversation of ${email} ${on}` };
	const ids = unpaired.map((c) => c.conversationId).join(', ');
	return {
		found: false,
		reason: `not paired: ${unpaired.length} unpaired conversations of ${email} ${on} (${ids}); put the right one's id into ${field ?? name(source, sourceId)}`,
	};
}

/**
 * Writes the pair's ids where they are missing. A side that cannot keep it (no such field there) costs a warning,
 * not the sync: the pair is found again by e-mail next time.
 */
export async function keepPair(
	sessions: { source: Session; target: Session },
	conversations: { source: ConversationSnapshot; target: ConversationSnapshot },
	counterpart: { writeOnSource: boolean; writeOnTarget: boolean },
	options: PairingOptions,
): Promise<string[]> {
	const sides = [
		{ write: counterpart.writeOnSource, session: sessions.source, conversation: conversations.source, field: options.sourceField, value: conversations.target.conversationId },
		{ write: counterpart.writeOnTarget, session: sessions.target, conversation: conversations.target, field: options.targetField, value: conversations.source.conversationId },
	];
	const warnings: string[] = [];
	for (const side of sides) {
		const { session, conversation, field } = side;
		const pairing = session.api.pairing;
		if (!side.write || pairing === undefined || field === null) continue;
		const call = async (request: ApiRequest) =>
			await session.ok(request, { conversationId: conversation.conversationId, action: 'pairing' });
		const failure = await pairing.writeField(call, session.scope, conversation, field, side.value).then(
			() => null,
			(error: unknown) => error,
		);
		if (failure instanceof ApiCallError || failure instanceof InvalidParameterError) {
			warnings.push(`The pair could not be kept on ${name(session, conversation.conversationId)}: ${failure.message}. ${failure.description}`);
		} else if (failure !== null) {
			throw failure;
		}
	}
	return warnings;
}
