'use strict';
// Driving n8n 2.41's editor with playwright-core the way a user does: the nodes panel, the node's settings (NDV),
// Import → From File, Publish. Selectors are n8n's own data-test-id attributes.
const { sleep } = require('../../scripts/chromium');

const NDV = '[data-test-id="ndv"]';
const DROPDOWN_ITEM = '.el-select-dropdown__item:visible';

/** An empty workflow in the editor, ready for the nodes panel. */
async function newWorkflow(page, baseUrl) {
	await page.goto(`${baseUrl}/workflow/new`);
	await page.locator('[data-test-id="canvas-add-button"]').waitFor({ state: 'visible', timeout: 60_000 });
	await sleep(1000);
}

/** Searches the open nodes panel and clicks the first node whose name contains `nodeText`. */
async function pickFromPanel(page, search, nodeText) {
	await page.locator('[data-test-id="node-creator-search-bar"]').fill(search);
	await page.locator('[data-test-id="node-creator-item-name"]', { hasText: nodeText }).first().click();
}

/** Adds the trigger from the nodes panel to an empty workflow; its settings open. */
async function addTrigger(page, { search, nodeText, triggerText }) {
	await page.locator('[data-test-id="canvas-add-button"]').click();
	await pickFromPanel(page, search, nodeText);
	await page.getByText(triggerText, { exact: true }).click();
	await page.locator(NDV).waitFor({ timeout: 15_000 });
	await sleep(1000);
}

/** Adds an action after a manual trigger (the panel lists no actions on an empty canvas); its settings open. */
async function addAction(page, { search, nodeText, actionText }) {
	await page.locator('[data-test-id="canvas-add-button"]').click();
	await pickFromPanel(page, 'manual', 'Trigger manually');
	await sleep(1000);
	await page.keyboard.press('Escape');
	await sleep(500);
	await page.locator('[data-test-id="canvas-handle-plus"]').first().click();
	await pickFromPanel(page, search, nodeText);
	await page.getByText(actionText, { exact: true }).click();
	await page.locator(NDV).waitFor({ timeout: 15_000 });
	await sleep(1000);
}

/**
 * What the open node settings show: Platform (null when n8n hides it) and the value of each credential field, in
 * order (null for one that is empty).
 */
async function nodeSettings(page) {
	const platform = page.locator(`${NDV} [data-test-id="parameter-input-platform"] input`);
	const credentials = [];
	for (const input of await page.locator(`${NDV} [data-test-id="node-credentials-select"] input`).all()) {
		credentials.push((await input.inputValue()) || null);
	}
	return { platform: (await platform.count()) > 0 ? await platform.first().inputValue() : null, credentials };
}

/**
 * Opens a select and waits for its options. n8n re-renders a node's fields after a change (Platform re-draws the
 * credential field), so a click that lands during that is tried again.
 */
async function openDropdown(page, select) {
	for (let attempt = 1; ; attempt++) {
		// Escape would close the node's settings: a select that did not open is simply clicked again.
		if ((await page.locator('.el-select-dropdown:visible').count()) === 0) await select.click();
		try {
			await page.locator(DROPDOWN_ITEM).first().waitFor({ timeout: 3000 });
			await sleep(300);
			return;
		} catch (error) {
			if (attempt === 4) throw error;
		}
	}
}

/** The first line (the name) of each option the open select offers. */
async function dropdownNames(page) {
	const texts = await page.locator(DROPDOWN_ITEM).allInnerTexts();
	return texts.map((text) => text.split('\n')[0].trim());
}

/** The credentials the node's credential picker offers (names), the "create new" entry left out. */
async function credentialChoices(page) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="node-credentials-select"]`).first());
	const names = (await dropdownNames(page)).filter((name) => !/create new/i.test(name));
	await page.keyboard.press('Escape');
	await sleep(300);
	return names;
}

/** Picks an option of a select parameter of the open node (e.g. platform, operation). */
async function chooseOption(page, parameter, optionName) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="parameter-input-${parameter}"]`));
	await page.locator(DROPDOWN_ITEM, { hasText: optionName }).first().click();
	await sleep(1000);
}

/** Adds an entry of a collection (Filters, Options) of the open node: its `index`-th "Add …" button, then `optionName`. */
async function chooseCollectionOption(page, index, optionName) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="collection-parameter-add"]`).nth(index));
	await page.locator(DROPDOWN_ITEM, { hasText: optionName }).first().click();
	await sleep(1000);
}

/** The options a select parameter of the open node offers (names). */
async function optionNames(page, parameter) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="parameter-input-${parameter}"]`));
	const names = await dropdownNames(page);
	await page.keyboard.press('Escape');
	await sleep(300);
	return names;
}

/** Picks a credential in the node's credential field number `field` (0: the first). */
async function chooseCredential(page, name, field = 0) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="node-credentials-select"]`).nth(field));
	await page.locator(DROPDOWN_ITEM, { hasText: name }).first().click();
	await sleep(800);
}

/** The button n8n shows in a node's settings while no credential of the node's type exists ("Connect to …"), or null. */
async function connectButtonText(page) {
	const button = page.locator(`${NDV} [data-test-id="node-credentials-empty-state"] button`);
	return (await button.count()) > 0 ? (await button.first().innerText()).trim() : null;
}

/**
 * Creates a credential from inside the open node, as a newcomer does: the node's "Connect to …" button, the fields
 * (by parameter name) in n8n's credential dialog, Save. Returns the name n8n gave it and, for each of `texts`,
 * whether the dialog showed it.
 */
async function createCredentialFromNode(page, fields, texts = []) {
	await page.locator(`${NDV} [data-test-id="node-credentials-empty-state"] button`).first().click();
	const dialog = page.locator('[data-test-id="editCredential-modal"]');
	await dialog.locator('[data-test-id="credential-save-button"]').waitFor({ timeout: 15_000 });
	for (const [name, value] of Object.entries(fields)) {
		await dialog.locator(`[data-test-id="parameter-input-${name}"] input`).first().fill(String(value));
	}
	const credentialName = (await dialog.locator('[data-test-id="credential-name"]').innerText()).trim();
	const shown = {};
	for (const text of texts) shown[text] = await dialog.getByText(text, { exact: false }).first().isVisible();
	await dialog.locator('[data-test-id="credential-save-button"]').click();
	await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
	await sleep(1000);
	return { name: credentialName, shown };
}

async function closeNode(page) {
	await page.locator('[data-test-id="ndv-close-button"]').click();
	await page.locator(NDV).waitFor({ state: 'hidden', timeout: 10_000 });
	await sleep(300);
}

async function openNode(page, name) {
	await page.locator('[data-test-id="canvas-node"]').filter({ hasText: name }).first().dblclick();
	await page.locator(NDV).waitFor({ timeout: 15_000 });
	await sleep(1000);
}

/** Execute step on the open trigger; returns n8n's line under "Listening for test event". */
async function listen(page) {
	await page.locator(`${NDV} [data-test-id="trigger-execute-button"]`).first().click();
	const listening = page.locator(`${NDV} [data-test-id="trigger-listening"]`);
	await listening.waitFor({ timeout: 20_000 });
	const lines = (await listening.innerText()).split('\n').map((line) => line.trim());
	return lines[lines.indexOf('Listening for test event') + 1];
}

async function stopListening(page) {
	await page.locator(`${NDV} [data-test-id="trigger-listening"] [data-test-id="trigger-execute-button"]`).click();
	await page.locator(`${NDV} [data-test-id="trigger-listening"]`).waitFor({ state: 'hidden', timeout: 20_000 });
	await sleep(1000);
}

/**
 * How the open node shows a text: 'information' (n8n's callout, which the user can dismiss), 'warning' (n8n's orange
 * notice) or 'plain'; null when the text is not shown.
 */
async function textKind(page, text) {
	const shown = page.locator(NDV).getByText(text, { exact: false }).first();
	if ((await shown.count()) === 0) return null;
	return await shown.evaluate((element) => (element.closest('.n8n-callout') ? 'information' : element.closest('.notice') ? 'warning' : 'plain'));
}

/** The first nodes-panel entry named `nodeText` for `search`: its name and description, as the panel shows them. */
async function panelEntry(page, search, nodeText) {
	await page.locator('[data-test-id="canvas-add-button"]').click();
	await page.locator('[data-test-id="node-creator-search-bar"]').fill(search);
	const name = page.locator('[data-test-id="node-creator-item-name"]', { hasText: nodeText }).first();
	await name.waitFor({ timeout: 15_000 });
	const lines = (await name.locator('xpath=../..').innerText()).split('\n').map((line) => line.trim()).filter(Boolean);
	await page.keyboard.press('Escape');
	await sleep(500);
	return { name: lines[0], description: lines.slice(1).join(' ') };
}

/** The names of the nodes on the canvas. */
async function canvasNodeNames(page) {
	return (await page.locator('[data-test-id="canvas-node"]').allInnerTexts()).map((text) => text.split('\n')[0].trim());
}

/** The texts of the toasts on screen. */
async function toasts(page) {
	return (await page.locator('.el-notification').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
}

/**
 * Import → From File into a new workflow, as a user does; waits for the nodes and for n8n's autosave.
 * @returns the new workflow's id
 */
async function importFile(page, baseUrl, file) {
	await newWorkflow(page, baseUrl);
	await page.locator('[data-test-id="workflow-import-input"]').setInputFiles(file);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 20_000 });
	await page.waitForURL((url) => /\/workflow\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'), { timeout: 30_000 });
	await sleep(1500);
	return new URL(page.url()).pathname.split('/').pop();
}

/** The Publish button: {enabled}. */
async function publishButton(page) {
	const button = page.locator('[data-test-id="workflow-open-publish-modal-button"]');
	await button.waitFor({ timeout: 10_000 });
	const disabled = (await button.getAttribute('aria-disabled')) === 'true' || /is-disabled/.test((await button.getAttribute('class')) ?? '');
	return { enabled: !disabled };
}

/** Publishes through the button and its modal; returns the text of the dialog that follows (one line). */
async function publish(page) {
	await page.locator('[data-test-id="workflow-open-publish-modal-button"]').click();
	await page.locator('[data-test-id="workflow-publish-button"]').click();
	const outcome = page.locator('[role="dialog"]:visible', { hasText: /Workflow published|Conflicting Trigger Path/ }).last();
	await outcome.waitFor({ timeout: 60_000 });
	return (await outcome.innerText()).replace(/\s+/g, ' ').trim();
}

module.exports = {
	newWorkflow,
	addTrigger,
	addAction,
	nodeSettings,
	credentialChoices,
	chooseOption,
	chooseCollectionOption,
	optionNames,
	chooseCredential,
	connectButtonText,
	createCredentialFromNode,
	closeNode,
	openNode,
	listen,
	stopListening,
	textKind,
	panelEntry,
	canvasNodeNames,
	toasts,
	importFile,
	publishButton,
	publish,
};
