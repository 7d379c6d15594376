#ifndef BLVM_NODE_VERSIONBITS_H
#define BLVM_NODE_VERSIONBITS_H

/* BIP9 version bits: the deployments Bitcoin Core 29 still signals through
 * block versions (testdummy and taproot), their state machine (Core's
 * AbstractThresholdConditionChecker) and the block version a miner sets
 * (Core's ComputeBlockVersion).
 *
 * Nothing here enforces a rule: blvm applies taproot's rules from the
 * height in consensus/params.h, as Core does. This is what miners signal and
 * what getblocktemplate / getdeploymentinfo report. On regtest testdummy
 * starts at the first period boundary, so Core's (and blvm's) miner sets bit
 * 28 in blocks 144..431 and the deployment is active from block 432.
 *
 * States are computed from the chain entries each time (no cache): walking
 * back period by period costs O(height / period) ancestor look-ups, and only
 * periods in the STARTED state are counted block by block. */

#include <stdbool.h>
#include <stdint.h>

#include "consensus/chain_entry.h"
#include "consensus/params.h"

/* Block versions that signal: the top three bits are 001 (BIP9). */
#define BLVM_VERSIONBITS_TOP_BITS 0x20000000
#define BLVM_VERSIONBITS_TOP_MASK 0xE0000000u
#define BLVM_VERSIONBITS_NUM_BITS 29

/* Core's DeploymentPos, in Core's order. */
typedef enum {
    BLVM_VB_TESTDUMMY = 0,
    BLVM_VB_TAPROOT,
    BLVM_VB_COUNT,
} blvm_vb_deployment;

/* Core's ThresholdState. */
typedef enum {
    BLVM_VB_DEFINED = 0,
    BLVM_VB_STARTED,
    BLVM_VB_LOCKED_IN,
    BLVM_VB_ACTIVE,
    BLVM_VB_FAILED,
} blvm_vb_state;

/* Start time meaning "active from genesis" / "never active" (Core's
 * BIP9Deployment::ALWAYS_ACTIVE / NEVER_ACTIVE). */
#define BLVM_VB_ALWAYS_ACTIVE (-1)
#define BLVM_VB_NEVER_ACTIVE (-2)
#define BLVM_VB_NO_TIMEOUT INT64_MAX

/* One deployment on one network (Core's BIP9Deployment + VBDeploymentInfo). */
typedef struct {
    const char *name;       /* "testdummy", "taproot" */
    bool gbt_optional_rule; /* getblocktemplate: clients may ignore it (no '!') */
    int bit;
    int64_t start_time;     /* median time past; or ALWAYS_ACTIVE / NEVER_ACTIVE */
    int64_t timeout;
    int32_t min_activation_height;
    int32_t period;    /* blocks per signalling window */
    int32_t threshold; /* signalling blocks needed in a window */
} blvm_vb_params;

/* The deployment's parameters on network p (period and threshold from p).
 * false for an unknown deployment. */
bool blvm_vb_get_params(const blvm_params *p, blvm_vb_deployment d, blvm_vb_params *out);

/* Core's VersionBitsState: the state of deployment d for the block after
 * prev (NULL: the genesis block). */
blvm_vb_state blvm_vb_state_for(const blvm_params *p, blvm_vb_deployment d,
                                const blvm_chain_entry *prev);

/* Core's VersionBitsStateSinceHeight: the height of the first block of the
 * block after prev's state (0 for DEFINED and for always/never active). */
int32_t blvm_vb_state_since_height(const blvm_params *p, blvm_vb_deployment d,
                                   const blvm_chain_entry *prev);

/* Whether a block version signals for bit (Core's Condition). */
bool blvm_vb_signals(int32_t version, int bit);

/* Core's ComputeBlockVersion: the top bits, plus the bit of every deployment
 * in STARTED or LOCKED_IN for the block after prev. */
int32_t blvm_vb_compute_block_version(const blvm_params *p, const blvm_chain_entry *prev);

/* Core's GetStateStatisticsFor: for the period `block` is in, the blocks up
 * to and including it (elapsed), how many of them signal (count), and
 * whether the threshold can still be reached (possible). block NULL: only
 * period and threshold are set. */
typedef struct {
    int32_t period;
    int32_t threshold;
    int32_t elapsed;
    int32_t count;
    bool possible;
} blvm_vb_stats;
void blvm_vb_statistics(const blvm_params *p, blvm_vb_deployment d, const blvm_chain_entry *block,
                        blvm_vb_stats *out);

/* "defined", "started", "locked_in", "active", "failed" (getdeploymentinfo). */
const char *blvm_vb_state_name(blvm_vb_state s);

#endif
