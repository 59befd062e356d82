'use strict';
/**
 * Chatwoot simulator, auto-assignment part: inbox members, agent availability and the legacy ("older")
 * assignment system of Chatwoot 4.15.1 (tag v4.15.1, commit 97bb8ecd; paths below are upstream paths).
 *
 * Follows:
 *   - app/models/concerns/auto_assignment_handler.rb L6 `after_save :run_auto_assignment`, L11-28: runs when the
 *     conversation is open and was just created or had its status changed (conversation.rb L360-364
 *     `conversation_status_changed_to_open?`), the inbox has `enable_auto_assignment` (default true) and the
 *     assignee is blank or not a member of the inbox (L40-48). With the account feature `assignment_v2` the
 *     legacy service is not called (an AssignmentJob is enqueued instead: chatwoot.js runs it later, picking
 *     with the same round robin among online members).
 *   - app/services/auto_assignment/agent_assignment_service.rb: only members that are `online` are candidates
 *     (OnlineStatusTracker.get_available_users & inbox member ids), picked by the inbox round robin queue;
 *     `conversation.update(assignee: ...)` only when somebody was found.
 *   - app/services/auto_assignment/inbox_round_robin_service.rb: a Redis list per inbox. A new member is
 *     LPUSHed (inbox_member.rb after_create), a removed one LREMed; when the list's ids differ from the members
 *     the list is rebuilt by LPUSHing the members in membership order; the pick is the LAST queue entry that is
 *     a candidate, which is then moved to the head. So members are served in membership order, round robin.
 *   - enterprise/app/models/enterprise/inbox.rb `member_ids_with_assignment_capacity`: with the inbox's
 *     `auto_assignment_config.max_assignment_limit`, members with that many open conversations in the inbox or
 *     more are left out (enterprise only).
 *   - lib/online_status_tracker.rb `get_available_users` + app/models/concerns/availability_statusable.rb: a user
 *     is listed when connected (presence in the last 20 s) or when `auto_offline` is false; the status listed is
 *     the account user's availability (online / busy / offline). Only `online` users are assigned.
 * Teams (a team's members among the inbox's, only when the team allows auto-assignment) and the assignment V2 job
 * are in chatwoot.js. Not modelled: V2's balanced policy and per-policy limits, the presence time window
 * (connected is a flag set through the control API). Activity messages: chatwoot.js.
 */

const AVAILABILITIES = ['online', 'busy', 'offline'];

/**
 * @param {any} S simulator state (users, inboxes, conversations)
 * @param {{ enterprise: boolean, onlineAgents: number[] }} opts
 */
function createAssignment(S, opts) {
	/** inbox id -> member user ids in membership order */
	const members = new Map();
	/** inbox id -> round robin list, head first (what LRANGE returns) */
	const queues = new Map();
	/** user id -> { availability, autoOffline, connected } (account_users row + Redis presence) */
	const presence = new Map();

	for (const id of S.users.keys()) {
		presence.set(id, { availability: 'online', autoOffline: true, connected: opts.onlineAgents.includes(id) });
	}

	function membersOf(inboxId) {
		return members.get(inboxId) || [];
	}

	function isMember(inboxId, userId) {
		return membersOf(inboxId).includes(userId);
	}

	/** InboxMember create / destroy keep the queue in step (LPUSH / LREM). */
	function setMembers(inboxId, userIds) {
		const next = [...new Set(userIds)];
		for (const id of next) if (!S.users.has(id)) throw new Error(`unknown user ${id}`);
		const queue = queues.get(inboxId) || [];
		const kept = queue.filter((id) => next.includes(id));
		const added = next.filter((id) => !membersOf(inboxId).includes(id));
		queues.set(inboxId, [...added.reverse(), ...kept]);
		members.set(inboxId, next);
	}

	/** AccountUser#availability_status as the REST API shows it (Current.account set). */
	function availabilityStatus(userId) {
		const p = presence.get(userId);
		if (!p) return 'offline';
		if (!p.autoOffline) return p.availability;
		return p.connected ? p.availability : 'offline';
	}

	/**
	 * @param {number} userId
	 * @param {{ availability?: string, connected?: boolean, autoOffline?: boolean }} change
	 */
	function setPresence(userId, change) {
		const p = presence.get(userId);
		if (!p) throw new Error(`unknown user ${userId}`);
		if (change.availability !== undefined && !AVAILABILITIES.includes(change.availability)) {
			throw new Error(`availability must be one of ${AVAILABILITIES.join(', ')}`);
		}
		Object.assign(
			p,
			Object.fromEntries(Object.entries(change).filter(([k, v]) => v !== undefined && ['availability', 'connected', 'autoOffline'].includes(k))),
		);
	}

	function withCapacity(inbox) {
		const ids = membersOf(inbox.id);
		const limit = inbox.maxAssignmentLimit;
		if (!opts.enterprise || !inbox.enableAutoAssignment || !limit) return ids;
		const open = new Map();
		for (const c of S.conversations.values()) {
			if (c.inboxId === inbox.id && c.status === 'open' && c.assigneeId !== null) open.set(c.assigneeId, (open.get(c.assigneeId) || 0) + 1);
		}
		return ids.filter((id) => (open.get(id) || 0) < limit);
	}

	/**
	 * AgentAssignmentService#find_assignee: the next online member with capacity (among `allowed`, a team's
	 * members, when given), or null. Moves the queue.
	 */
	function pickAssignee(inbox, allowed) {
		const candidates = withCapacity(inbox).filter((id) => availabilityStatus(id) === 'online' && (!allowed || allowed.includes(id)));
		if (!candidates.length) return null;
		let queue = queues.get(inbox.id) || [];
		const sorted = (ids) => ids.slice().sort((a, b) => a - b).join(',');
		if (sorted(queue) !== sorted(membersOf(inbox.id))) queue = membersOf(inbox.id).slice().reverse(); // reset_queue
		const inQueue = queue.filter((id) => candidates.includes(id));
		const picked = inQueue.length ? inQueue[inQueue.length - 1] : null;
		if (picked !== null) queue = [picked, ...queue.filter((id) => id !== picked)];
		queues.set(inbox.id, queue);
		return picked;
	}

	function presenceOf(userId) {
		return Object.assign({}, presence.get(userId));
	}

	return { membersOf, isMember, setMembers, availabilityStatus, presenceOf, setPresence, pickAssignee };
}

module.exports = { createAssignment, AVAILABILITIES };
