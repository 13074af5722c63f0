"""Initial patient-facing content for the milia page, its four treatments and their aftercare emails."""

CONDITION = {
    "slug": "milia",
    "title": "Milia",
    "seo_title": "Milia: tiny white bumps on the skin explained",
    "seo_description": (
        "What milia are, the different types, what can trigger them, how they differ "
        "from whiteheads, and when to have a spot checked. Clear, calm information."
    ),
    "summary": (
        "Milia are tiny, harmless white bumps that sit just under the skin, often on the face. "
        "This page explains what they are and your options, but it is general information and "
        "cannot diagnose your own skin."
    ),
    "sections": {
        "what_they_are": """\
Milia are tiny, pearly-white or slightly yellow bumps that sit just under the surface of the skin. One bump on its own is called a **milium**.

Each milium is a very small cyst. A cyst is a little pocket under the skin. This one is filled with keratin, a protein found in the outer layer of the skin.

Milia are usually:

- smooth, round and dome-shaped
- about 1 to 2 millimetres across, and not usually bigger than about 3 millimetres
- found in small groups
- painless, although now and then they can itch

They are most common on the face, especially the eyelids, cheeks, nose and forehead. They can also appear on the upper body, arms, legs or genitals.

Milia are harmless. They are common, and people of any age can get them. Newborn babies get them most of all.

There is no opening or pore on top of a milium. That is why squeezing is unlikely to get one out.

This page gives general information. It cannot tell you what is on your own skin. If you are not sure what a spot is, ask a doctor or one of our clinicians to look at it.""",
        "types": """\
Doctors sort milia into types, depending on who gets them and what seems to start them off.

- **Newborn (neonatal) milia:** very common. About 4 or 5 in every 10 newborn babies have them, often on the nose. They can be there at birth and clear up by themselves within a few weeks. Similar tiny white bumps can appear on a baby's gums or the roof of the mouth.
- **Primary milia:** these appear in children and adults without any damage to the skin first. They often show up on the eyelids, cheeks, forehead or genitals. Young children sometimes get a row of them along the crease of the nose.
- **Juvenile milia:** these are linked to some rare skin conditions that run in families.
- **Secondary milia:** these form while the skin heals after damage, such as a burn, sunburn, blisters or a rash.
- **Milia linked to medicines or skin products:** these can follow long-term use of steroid creams, heavy creams or ointments, or a few other skin medicines.
- **Milia en plaque:** rare. Many milia sit on a raised, red patch of skin, often around or behind the ear, or on an eyelid, cheek or jaw.
- **Multiple eruptive milia:** rare. Crops of many milia appear over weeks or months, mainly on the face, upper arms and upper body. They can itch.

**Colloid milium** sounds similar but is a different condition. It is linked to sun damage and causes golden or yellowish bumps on the cheeks and temples.""",
        "causes": """\
Milia form when dead skin cells get trapped just under the surface of the skin instead of being shed. They build up into a tiny cyst.

### Primary milia

These appear by themselves. Nothing has damaged the skin first, and they are not caused by anything you did.

### Secondary milia and known triggers

Doctors recognise several things that can lead to milia:

- **Skin damage**, such as burns (including sunburn), blisters, rashes or injuries.
- **A lot of sun over the years.** Sun damage makes skin tougher, so dead skin cells find it harder to shed.
- **Some skin conditions that cause blisters**, such as shingles and some rare blistering diseases.
- **Using steroid creams for a long time**, especially on thin or older skin.
- **Heavy, greasy creams or ointments.**
- **Some skin procedures**, such as dermabrasion and laser resurfacing.
- **Radiotherapy** (radiation treatment), though this is rare.

### What does not cause milia

Medical references do not list dirty skin, what you eat or oily skin as causes of milia. Milia are not blocked pores full of oil.

If you use a steroid cream that a doctor prescribed, talk to them before you change how you use it.""",
        "differences": """\
### Milia and whiteheads

Milia are often mistaken for whiteheads, but they are not a type of acne.

- A **whitehead** is part of acne. Oil from the skin mixes with dead skin cells and plugs a pore. The plug sits just under the surface.
- A **milium** is a tiny cyst of keratin with no opening on top. It is not a blocked pore, and it is not made of oil.
- Milia are usually not red or sore. If clothes or bedding rub them, the skin around them can look a little pink, but the middle stays white.

In newborn babies, irritated milia are sometimes wrongly called "baby acne". Baby acne is a separate condition.

Because milia are not acne, acne spot treatments are not a standard treatment for them.

### Milia and miliaria (heat rash)

**Miliaria** has a similar name, but it is a different condition. It is also called heat rash or prickly heat. It happens when sweat ducts get blocked in hot, humid weather. Heat rash is not the same thing as milia.""",
        "natural_course": """\
What happens to milia over time depends on the type and on your age.

- **Newborn babies:** milia clear up on their own within the first few weeks of life. They leave no lasting marks, and they do not need any treatment.
- **Children and adults:** milia may go away by themselves within a few weeks or months. They can also stay for a long time. In older children and adults, they often do stay.
- **Milia after blisters:** milia that form after blistering rarely go away on their own.

### After treatment

Once a milium has been removed, it almost never comes back in the same place. New milia can still appear somewhere else, though. New ones forming does not mean the treatment did not work.

Because milia are harmless, waiting to see whether they settle is a perfectly reasonable choice. You only need treatment if they bother you.""",
        "when_to_see_a_doctor": """\
Most milia are harmless and do not need treatment. Doctors can usually tell what they are just by looking. Now and then they take a tiny sample of skin (a biopsy) to be sure.

Ask a doctor or one of our clinicians to check your skin if:

- you are not sure a spot is a milium, or it looks different from the others
- a lot of milia appear suddenly
- milia sit on a red, raised patch of skin
- milia appear after a rash with blisters

A few other skin growths can look like milia. These include other cysts, whiteheads, yellowish cholesterol deposits near the eyes, and small growths from sweat ducts. Rarely, a type of skin cancer called basal cell carcinoma can have features that look similar. A check can tell these apart.

You can also ask us about treatment if your milia bother you. Removing them is always optional.

### Babies

Milia in newborn babies need no treatment. But if a baby has **any** rash together with signs of being seriously ill, get urgent medical help straight away. Signs include:

- skin that looks blue, grey, pale or blotchy
- a rash that does not fade when you roll a glass over it
- difficulty breathing
- a weak or high-pitched cry that is not like their usual cry
- being unusually sleepy, or not feeding""",
        "what_not_to_do": """\
- **Do not squeeze, pick or try to pop milia.** There is no opening on top, so squeezing is unlikely to get them out. It can also hurt the skin, and skin damage can lead to more milia.
- **Do not try to remove milia yourself**, for example with a needle. Leave removal to a trained clinician.
- **Do not use acne spot treatments on them.** Milia are not acne.
- **Do not put adult creams or treatments on a baby's milia.** Newborn milia clear up by themselves.
- **Do not use steroid creams for a long time** unless a doctor has told you to.

### Things that may help

There is no sure way to prevent milia. These steps may lower the chance of new ones:

- If you are prone to milia, choose lighter skin products and avoid heavy, greasy creams.
- Protect your skin from the sun, for example with shade, a hat and sunscreen.
- Be gentle with your skin and try not to injure it.""",
        "milialar_note": """\
You may have seen the word "milialar" on some websites. It is not a medical term, and it is not the name of a condition. Doctors and medical reference books do not use it.

The correct word is **milia** when there are several bumps, or **milium** for just one.

Some of the pages that use the word "milialar" also give wrong information, for example that the bumps are rare or red. If you have read something that worries you, please ask us. We are happy to explain.""",
    },
    "faqs": [
        (
            "Are milia harmful?",
            """\
No. Milia are harmless. They usually cause no symptoms, although now and then they can itch.

You only need treatment if they bother you. If one spot looks different from your other milia, ask us to check it.""",
        ),
        (
            "Can I squeeze or pop milia at home?",
            """\
Please don't. A milium has no opening on top, so squeezing is unlikely to get it out. Picking or squeezing can damage your skin, and skin damage can lead to more milia.

If your milia bother you, a trained clinician can remove them safely.""",
        ),
        (
            "Will my milia go away on their own?",
            """\
It depends. Milia in newborn babies clear up by themselves within a few weeks.

In children and adults, milia may go away within weeks or months, but they can also stay for a long time. Milia that form after blisters rarely go away on their own.""",
        ),
        (
            "Are milia a type of acne?",
            """\
No. Milia are often mistaken for whiteheads, but they are different.

A whitehead is a pore blocked with oil and dead skin cells. A milium is a tiny cyst of keratin under the skin, with no opening. This is why acne spot treatments are not a standard treatment for milia.""",
        ),
        (
            "My newborn baby has milia. Do they need treatment?",
            """\
No. Milia are very common in newborn babies. They clear up on their own within the first few weeks and leave no marks. Do not squeeze them or put adult creams on them.

If your baby has any rash and also seems seriously unwell, get urgent medical help straight away.""",
        ),
        (
            "Which treatment should I choose?",
            """\
There is no single treatment that suits everyone. We know of no studies that compare the treatments with each other.

- For a few milia, **extraction** is the usual method.
- **Laser** and **dermabrasion** have been reported to help when there are very many milia. Both can cause new milia as the skin heals.
- **Excision** is not a routine treatment for milia.
- **No treatment** is also a good choice, because milia are harmless.

Your clinician may also mention other options, such as freezing or prescription creams. They will talk through what suits you.""",
        ),
        (
            "Can milia come back after treatment?",
            """\
A milium that has been removed almost never comes back in the same place. But new milia can appear elsewhere later.

After laser or dermabrasion, new milia can form while the skin heals. These often settle by themselves.""",
        ),
    ],
}


TREATMENTS = [
    {
        "slug": "extraction",
        "title": "Extraction (de-roofing)",
        "seo_title": "Milia extraction (de-roofing): what to expect",
        "seo_description": (
            "How a clinician removes a few milia through a tiny opening in the skin: "
            "who it suits, what happens on the day, risks and simple aftercare."
        ),
        "summary": (
            "Extraction is the usual way to remove a small number of milia. "
            "The clinician makes a tiny opening over each milium and gently lifts out what is inside."
        ),
        "at_a_glance": {
            "duration": "A short appointment",
            "anaesthetic": "Usually none; numbing cream may be offered",
            "downtime": "Usually none",
            "visits": "Your clinician will confirm",
        },
        "comparison": {
            "suits": "A few milia",
            "scar_risk": "Small risk of tiny pitted marks",
            "can_cause_milia": "Not known to, but new milia can form elsewhere",
        },
        "sections": {
            "what_it_is": """\
Extraction is the usual way to remove a small number of milia. It is also called de-roofing.

The clinician uses a sterile needle or a very fine blade to make a tiny opening in the thin skin over the milium. They then gently press out, or lift out, the white contents. Sometimes they use a small tool called a comedone extractor to do this.

Once a milium has been removed this way, it almost never comes back in the same spot.

Removing milia is optional. They are harmless, so you only need treatment if they bother you.""",
            "who_it_suits": """\
Extraction suits adults and older children who have one milium, or a small number of milia, that bother them.

It is not used for newborn babies. Their milia clear up by themselves within a few weeks.

Before treating you, your clinician will look at your skin to check that the spots really are milia. If you have a very large number of milia, they may also talk to you about other options.""",
            "who_should_not": """\
Extraction is a small procedure, but please tell us before your appointment if:

- you have darker skin, because dark marks after treatment are more likely
- one of your spots looks different from the others, or you are not sure what it is
- a lot of milia have appeared suddenly, they sit on a red, raised patch of skin, or they appeared after a rash with blisters. These need a full skin check first.

Extraction is not offered for newborn babies. Their milia need no treatment and clear up by themselves.""",
            "on_the_day": """\
Your clinician will first look at your skin and check that the spots are milia. They will then clean the skin.

The procedure itself is quick. It can sting a little. It is not completely painless, but most people do not need anything to numb the skin. Your clinician will tell you whether numbing cream is available if you would like it.

Your clinician will also tell you how many milia they can treat in one visit.

Afterwards, you can go straight back to your normal day.""",
            "recovery": """\
Each treated spot leaves a tiny wound, about the size of a pinprick. It may look a little red, and a tiny scab may form. This is normal.

You do not need to stop your usual activities. You can go back to work or school as normal. The one thing to check is swimming, which is covered in the aftercare advice below.

Your clinician will tell you how long your spots are likely to take to heal. While they heal, try not to touch or pick them.""",
            "risks": """\
The risks of extraction are small, but no treatment is completely free of risk. Possible side effects include:

- **Tiny pitted scars.** A very small dent can sometimes be left in the skin.
- **Dark marks.** The treated skin can develop dark marks. This is more likely in darker skin.
- **Infection.** This is unusual, but it can happen. Your aftercare emails explain the signs to look out for.
- **New milia.** A milium that has been removed rarely comes back, but new milia can appear in other places later.

The procedure can also sting a little while it is being done.""",
            "aftercare_summary": """\
Looking after the treated skin is simple:

- Leave the spots alone. Do not pick any scabs.
- Wash the area gently and pat it dry with a clean towel.
- If a small scab forms, you can put on a thin layer of petroleum jelly to help it heal, unless your clinician told you otherwise.
- Avoid swimming until the spots have healed, unless your clinician told you otherwise.
- Once the skin has closed, protect it from the sun with sunscreen.

After your treatment, we will send you a few short aftercare emails. They explain what to expect and when to contact us.""",
            "price_note": """\
Milia are harmless, so removing them is usually a cosmetic choice. This is a private treatment.

Your clinician will confirm the fee at your consultation, before any treatment starts. Please ask if anything about the cost is unclear, including whether a follow-up visit is included.

If you have health insurance, check with your insurer before your treatment whether they will cover it.""",
            "clinic_decisions": """\
A few details of how we offer extraction are still being decided by our clinicians. Your clinician will confirm these at your consultation:

- Whether we offer numbing cream before treatment.
- How many milia can be treated in one visit.
- How long the treated spots usually take to heal.
- Our advice on using petroleum jelly on scabs, and on when you can swim again.
- The exact timings in our aftercare emails, which our clinicians are still checking.""",
        },
        "faqs": [
            (
                "Does extraction hurt?",
                """\
It can sting a little. It is not completely painless, but most people do not need anything to numb the skin. Your clinician will tell you whether numbing cream is available.""",
            ),
            (
                "Will it leave a mark?",
                """\
There is a small risk of a tiny pitted scar or a dark mark after extraction. Dark marks are more likely in darker skin.""",
            ),
            (
                "Will my milia come back?",
                """\
A milium that has been removed almost never comes back in the same place. New milia can still appear elsewhere later. If they bother you, you can come back to see us.""",
            ),
            (
                "Can my baby have milia removed?",
                """\
No. Milia in newborn babies need no treatment. They clear up on their own within the first few weeks of life.""",
            ),
        ],
        "aftercare_steps": [
            {
                "day": 0,
                "send_time": "18:00",
                "title": "Day of your treatment",
                "body": """\
Thank you for coming in today. Here is what to expect tonight and over the next few days.

The treated spots may look a little red, and some may have a tiny scab. This is normal and expected.

- Leave the spots alone. Do not pick, scratch or squeeze them.
- Wash the area gently and pat it dry with a clean towel. Do not rub.
- Try not to touch the treated skin with your fingers.
- You can carry on with your normal activities.
- Avoid swimming until the spots have healed, unless your clinician told you otherwise.

If you were given any other instructions at your appointment, please follow those as well.

We will email you again tomorrow with a little more advice.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 1,
                "send_time": "09:00",
                "title": "The day after your treatment",
                "body": """\
You can go about your day as normal. There is no need to stay off work, school or exercise.

A little redness around each treated spot is normal at this stage.

- Keep leaving the spots alone, and do not pick any scabs. Let them come off by themselves.
- If a small scab has formed, you can put on a thin layer of petroleum jelly to help it heal, unless your clinician told you otherwise.
- Keep washing the area gently and patting it dry.
- Avoid swimming until the spots have healed, unless your clinician told you otherwise.

If you wear make-up or use skin products, follow the advice your clinician gave you about when to use them on the treated spots.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 3,
                "send_time": "09:00",
                "title": "Checking how your skin is healing",
                "body": """\
By now your treated spots should be quietly healing. Infection after extraction is unusual, but it is worth having a quick look at your skin today.

Please contact us if you notice:

- redness that is spreading or getting worse
- pain that is getting worse
- the area feels hot
- swelling that is increasing
- pus coming from a spot

If none of these apply, carry on as before:

- leave the spots alone and do not pick scabs
- wash gently and pat dry
- use a thin layer of petroleum jelly on any scab, unless your clinician told you otherwise
- avoid swimming until the spots have healed, unless your clinician told you otherwise""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 7,
                "send_time": "09:00",
                "title": "One week after your treatment",
                "body": """\
It is now a week since your treatment. Your spots may well be settling, but healing times vary from person to person. Your clinician will have told you roughly how long yours should take.

- Once the skin over a spot has closed, protect it from the sun every day with sunscreen.
- If any scabs are left, let them come off by themselves. Do not pick them.
- Keep being gentle with the treated skin.

Sometimes a treated spot leaves a dark mark. This is more likely in darker skin. If you notice a dark mark, or a small dent in the skin, please let us know so that we can talk it through with you.""",
                "help_levels": ["contact", "advice"],
            },
            {
                "day": 30,
                "send_time": "09:00",
                "title": "One month after your treatment",
                "body": """\
It has been about a month since your treatment. We hope you are happy with how your skin looks.

A milium that has been removed rarely comes back. But new milia can still appear in other places. This does not mean your treatment did not work.

To lower the chance of new milia:

- if you are prone to milia, avoid heavy, greasy creams
- protect your skin from the sun
- do not try to squeeze or remove new milia yourself

If new milia bother you, you are welcome to book a review with us. And if a new spot looks different from your usual milia, please ask us to check it.""",
                "help_levels": ["contact", "advice"],
            },
        ],
    },
    {
        "slug": "laser",
        "title": "Laser ablation",
        "seo_title": "Laser ablation for milia: what to expect",
        "seo_description": (
            "How ablative laser can treat very many milia: who it suits, who should take "
            "care, recovery, risks including new milia and colour change, and aftercare."
        ),
        "summary": (
            "Laser ablation uses a laser to remove the very top layer of skin. "
            "It has been reported to help people with very many milia, but it does not suit everyone."
        ),
        "at_a_glance": {
            "duration": "Your clinician will confirm; short for a few spots",
            "anaesthetic": "Local anaesthetic",
            "downtime": "Days to about 2 weeks; your clinician will confirm",
            "visits": "Your clinician will confirm",
        },
        "comparison": {
            "suits": "Very many milia, after assessment",
            "scar_risk": "Slight",
            "can_cause_milia": "Yes, while the skin heals",
        },
        "sections": {
            "what_it_is": """\
A laser is a very strong, focused beam of light. The lasers used for this are called ablative lasers. The two main types are the CO2 laser and the erbium laser. They heat the water in the skin and remove the very top layer.

For milia, laser treatment has been reported to help people who have a very large number of them. It is also one of the options for milia that sit deeper in the skin, and for milia en plaque. For milia en plaque, the look of the skin afterwards can sometimes be disappointing.

Most of what is known about recovery comes from using lasers over whole areas of skin, called laser resurfacing. Treating single milia affects much less skin. Your clinician will explain what to expect in your case.""",
            "who_it_suits": """\
Laser treatment may suit people who have:

- very many milia, or milia spread over a wide area
- milia en plaque (many milia on a raised, red patch of skin)
- milia that sit deeper in the skin

You will always have an assessment with a clinician first. For just a few milia, extraction is usually used instead.

Laser can change the colour of the skin, and this is more likely in darker skin. Your clinician will talk with you openly about whether laser is a good choice for your skin.""",
            "who_should_not": """\
Laser may not be right for you, or your clinician may need to take extra care. Please tell us before treatment if you:

- have taken isotretinoin (a tablet for acne) in the last 12 months
- have certain conditions that affect your immune system
- get cold sores. You may be given antiviral tablets to help prevent a flare-up.
- have darker skin, because lasting colour change is more common
- have a tan or fake tan. Your clinician will tell you how long your skin needs to be tan-free. One NHS laser service asks for at least 6 weeks.
- smoke, because smoking slows healing

Try to keep out of strong sun for up to 2 months before treatment. Too much sun beforehand can leave patchy colour in the treated skin that may not fade.""",
            "on_the_day": """\
Before the treatment starts:

- If you have been prescribed antiviral tablets, you start them before the treatment, as your clinician told you.
- Your skin is numbed with a local anaesthetic. Medicine to make you drowsy (sedation) is only used for large areas.
- You wear goggles or eye shields to protect your eyes.

Your clinician then treats each area with the laser. Treating a few milia takes much less time than treating a whole face. Your clinician will tell you how long to allow for your appointment.""",
            "recovery": """\
After laser, the treated skin is usually red and swollen. It can itch and may feel like sunburn. Small crusts are expected where the skin was treated.

The figures below come from laser treatment of larger areas of skin. Treating single milia affects much less skin, so think of these as the longer end of what to expect:

- new skin covers the treated area in about 1 to 2 weeks
- the skin may become dry and peel around days 5 to 7
- redness can last 1 to 2 weeks, and a milder pink colour can last longer
- after larger treatments, redness can sometimes last for months
- full recovery takes at least a month

Your clinician will tell you what to expect for your own treatment.""",
            "risks": """\
Possible side effects include:

- **Redness, swelling, itching and soreness.**
- **New milia or acne-like spots.** These can appear while the skin heals, up to about a month afterwards. They are more likely under thick creams or dressings.
- **Infection.** The most common is a cold sore flare-up. Infection with bacteria or fungi can also happen.
- **Colour change.** Treated skin can become darker or lighter. This can start weeks after treatment. Darkening is more common in darker skin, and the change is more likely to be permanent.
- **Scarring.** There is a slight risk.
- **Eyelid changes.** Rarely, treatment near the lower eyelid can make the eyelid turn outwards.

Smoking slows healing, so stopping is recommended.""",
            "aftercare_summary": """\
Your clinician will give you aftercare instructions. The main points are:

- For the first 1 to 2 days, use a cool compress or a wrapped ice pack for about 15 minutes every 1 to 2 hours, if you need it.
- Sleep with an extra pillow for about the first 4 nights to help with swelling.
- Clean the skin as you were shown. Apply a thin layer of petroleum jelly, or the ointment you were given, twice a day until healed.
- Do not pick crusts or scabs.
- Do not wear make-up or use products that might irritate the skin until it has healed.
- Avoid hot tubs and whirlpools while the skin heals.
- Once the skin has healed, use sunscreen every day.

We will also send you short aftercare emails.""",
            "price_note": """\
Milia are harmless, so removing them is usually a cosmetic choice. This is a private treatment.

Your clinician will confirm the fee at your consultation, before any treatment starts. The fee may depend on the area treated and the number of sessions you need. Please ask if anything about the cost is unclear, including whether follow-up visits are included.

If you have health insurance, check with your insurer before your treatment whether they will cover it.""",
            "clinic_decisions": """\
Some details of our laser treatment for milia are still being decided by our clinicians. Until then, your clinician will confirm these at your consultation:

- How long your appointment will take.
- How long healing, redness and pinkness usually last after treating single milia, rather than larger areas.
- Whether to keep the area dry, and when to start moisturiser and sunscreen, in the first 2 days.
- When you can start wearing make-up again.
- How strong your sunscreen should be, and for how many months to use it every day.
- The exact timings in our aftercare emails, which our clinicians are still checking.""",
        },
        "faqs": [
            (
                "Can laser treatment cause milia?",
                """\
Yes. New milia or acne-like spots can appear while the skin heals, up to about a month afterwards. They are more likely under thick creams or dressings, so use only a thin layer of ointment. Tell us if you notice new white bumps.""",
            ),
            (
                "Is laser treatment suitable for darker skin?",
                """\
It can be, but colour changes are more common in darker skin and are more likely to be permanent. For larger treatments on darker skin, erbium lasers may be preferred over CO2 lasers, because they carry a lower risk of the skin darkening.

Your clinician will talk this through with you before you decide.""",
            ),
            (
                "I get cold sores. Can I still have laser treatment?",
                """\
Please tell us before your treatment. Laser can trigger a cold sore flare-up. You may be given antiviral tablets to start before treatment and to keep taking for about 7 to 10 days afterwards.""",
            ),
            (
                "How long will my skin look red?",
                """\
After treatment of larger areas, redness can last 1 to 2 weeks, and a milder pink colour can last longer. Treating single milia affects much less skin, so it may settle sooner. Your clinician will tell you what to expect.""",
            ),
        ],
        "aftercare_steps": [
            {
                "day": 0,
                "send_time": "18:00",
                "title": "Day of your treatment",
                "body": """\
Thank you for coming in today. After laser, it is normal for the treated skin to be red and swollen and to feel like sunburn.

For tonight and the next day or two:

- Use a cool compress, or an ice pack wrapped in a clean cloth, for about 15 minutes at a time, every 1 to 2 hours if you need it. Do not put ice straight on the skin.
- Sleep with your head raised on an extra pillow. This helps the swelling go down.
- Apply the ointment you were given, as instructed, in a thin layer.
- If you were prescribed antiviral tablets, keep taking them exactly as directed and finish the course.
- Do not wear make-up.
- Do not pick or scratch the treated skin.

Please also follow any other instructions your clinician gave you today.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 1,
                "send_time": "09:00",
                "title": "The day after your treatment",
                "body": """\
The day after laser, the skin may still be red, swollen and itchy. Small crusts may start to form. This is expected.

- Clean the treated skin gently, the way you were shown.
- Apply a thin layer of petroleum jelly, or the ointment you were given, twice a day until the skin has healed. Thick layers can make new milia or spots more likely.
- Keep using a cool compress if it helps with swelling.
- Do not pick or scratch the crusts.

For about 7 to 10 days, unless your clinician told you otherwise, avoid:

- hot tubs and whirlpools
- swimming, saunas and steam rooms
- hot baths and very hot showers
- hard exercise
- perfumed products on the treated skin""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 3,
                "send_time": "09:00",
                "title": "Checking how your skin is healing",
                "body": """\
Your skin is now a few days into healing. Small crusts, itching and some redness are still normal. Keep going with your routine:

- clean gently, the way you were shown
- apply a thin layer of ointment twice a day
- do not pick the crusts
- no make-up yet

Please have a look at the treated skin today. Contact us if you notice:

- blisters that look like cold sores, in or near the treated area
- swelling that has lasted more than 3 days
- blistering, crusting or weeping that you were not told to expect
- redness that is spreading, or pus
- you feel feverish or generally unwell""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 7,
                "send_time": "09:00",
                "title": "One week after your treatment",
                "body": """\
It has been a week since your laser treatment. Around days 5 to 7, the skin often becomes dry and starts to peel. This is part of normal healing. Let the skin peel by itself and do not pull at it.

- Only start wearing make-up again once the skin has healed and your clinician has said it is fine.
- For 2 weeks after treatment, avoid things that make your face flush, such as hard exercise, hot baths or saunas.
- Once the skin has healed, use a broad-spectrum sunscreen every day. Follow the advice your clinician gave you about how strong it should be, and use at least SPF 30.
- Use only gentle products on the treated skin. Avoid anything that might irritate it.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 30,
                "send_time": "09:00",
                "title": "One month after your treatment",
                "body": """\
It has been about a month since your laser treatment. Here are a few things to know from now on.

- A pink colour can last for several weeks. This is normal.
- Changes in skin colour, darker or lighter, can start weeks after treatment. Please tell us if you notice any.
- New milia can form while the skin heals, up to about a month afterwards. Tell us if you see new white bumps, and do not squeeze them.
- Avoid strong facial treatments, such as peels, until about 4 weeks after laser.
- Wait until about 6 weeks, or until your clinician says, before going back to products that can irritate, such as retinoids or glycolic acid.
- Keep using sunscreen every day. Follow the advice your clinician gave you about how many months to carry on.""",
                "help_levels": ["contact", "advice"],
            },
        ],
    },
    {
        "slug": "dermabrasion",
        "title": "Dermabrasion",
        "seo_title": "Dermabrasion for milia: what to expect",
        "seo_description": (
            "How dermabrasion can treat very many milia: who it suits, who should not have it, "
            "healing time, risks including new milia and colour change, and aftercare."
        ),
        "summary": (
            "Dermabrasion gently sands away the top layers of skin. "
            "It has been reported to help people with very many milia, but healing takes about two weeks and it does not suit everyone."
        ),
        "at_a_glance": {
            "duration": "A few minutes to over an hour",
            "anaesthetic": "Local anaesthetic; sedation may be offered for large areas",
            "downtime": "About 1 to 2 weeks",
            "visits": "Treatment plus an early check-up; sometimes done in stages",
        },
        "comparison": {
            "suits": "Very many milia, after assessment",
            "scar_risk": "Rare, if the treatment goes too deep",
            "can_cause_milia": "Yes, while the skin heals",
        },
        "sections": {
            "what_it_is": """\
Dermabrasion uses a small, powered tool with a fast-spinning rough wheel or brush. It gently sands away the top layers of the skin, and new skin then grows in their place.

For milia, dermabrasion has been reported to help people who have a very large number of them. It is also one of the options for milia that sit deeper in the skin.

It is important to know that dermabrasion can itself cause milia while the skin heals. These usually clear up by themselves or with cleansing.

Removing milia is optional. Dermabrasion is a bigger treatment than extraction, with a longer recovery.""",
            "who_it_suits": """\
Dermabrasion may suit some people who have a very large number of milia, after a full assessment with a clinician. For just a few milia, extraction is usually used instead.

Results are usually better in fair skin. In darker skin there is a higher risk of scarring and of colour changes that may be permanent. Your clinician will talk openly with you about whether dermabrasion is a good choice for your skin.

You will also need to plan some time off. Most people go back to their normal activities after 1 to 2 weeks.""",
            "who_should_not": """\
Your doctor may advise against dermabrasion if you:

- have taken isotretinoin (a tablet for acne) in the last 12 months
- have had keloid scars (thick, raised scars), or someone in your family has
- have active acne or other skin conditions with pus
- get cold sores often
- have burn scars, or skin damaged by radiotherapy
- have rosacea
- have a condition that slows healing
- have had a face lift or brow lift recently
- take medicine that thins the blood

Please tell us about all the medicines you take, and if you smoke, before your treatment.""",
            "on_the_day": """\
Dermabrasion is done in a treatment room.

- Your skin is cleaned and your eyes are covered.
- The skin is numbed with a local anaesthetic, sometimes after a numbing cream. For large areas, some people have medicine to make them drowsy (sedation) or to put them to sleep (general anaesthetic). Your clinician will talk with you about what suits you.
- The treatment can take from a few minutes to more than an hour, depending on the size of the area. Large or deep areas may be treated in stages.
- Afterwards, a moist, non-stick dressing is put on the skin.

You will usually have a check-up soon afterwards, so your clinician can look at the skin and change the dressing. If you have been prescribed antiviral or antibiotic medicine, take it exactly as directed.""",
            "recovery": """\
For the first few days your skin will feel as if it has been grazed or badly sunburnt. It will be red and swollen, and it may burn, tingle or ache. A crust or scab forms, and the new skin underneath can itch.

- The skin usually heals in about 10 to 14 days.
- Most people go back to normal activities after 1 to 2 weeks. It is sensible to plan at least 2 weeks off work.
- The new skin stays pink and sensitive for several weeks. The pink colour takes about 3 months to fade.
- Swelling usually goes down over a few days to a week, but it can last for weeks or even months.""",
            "risks": """\
Possible side effects include:

- **Redness and swelling.**
- **New milia.** Tiny white bumps can appear as the skin heals. They usually clear by themselves or with cleansing.
- **Larger-looking pores** for a while.
- **Colour change.** The skin can become darker, lighter or blotchy. This is more common in darker skin and is sometimes permanent.
- **Infection.** This is rare. It includes cold sore flare-ups.
- **Scarring.** This is rare. It can happen if the treatment goes too deep.
- **Flare-ups** of acne, or of allergic skin rashes in people who are prone to them.""",
            "aftercare_summary": """\
Your clinician will show you how to care for your skin. The main points are:

- Clean the skin several times a day, as you were shown. This stops thick crusts forming. Then put ointment or a moist dressing back on.
- Change dressings as instructed, and take any medicine you were prescribed.
- Do not drink alcohol for 48 hours, and do not smoke.
- Follow the advice your clinician gave you about pain relief.
- Do not swim in chlorinated pools for a month, and avoid vigorous sport for 4 to 6 weeks.
- Wear make-up only once the skin has healed.
- Stay out of direct sun for 3 to 6 months, and use SPF 30 or higher every day.
- Go to all your follow-up visits.""",
            "price_note": """\
Milia are harmless, so removing them is usually a cosmetic choice. This is a private treatment.

Your clinician will confirm the fee at your consultation, before any treatment starts. Please ask if anything about the cost is unclear, including whether the check-up and dressing visits are included, and whether more than one session might be needed.

If you have health insurance, check with your insurer before your treatment whether they will cover it.""",
            "clinic_decisions": """\
A few details of our dermabrasion aftercare are still being decided by our clinicians. Your clinician will confirm these at your consultation:

- Which pain relief you can take in the first week, including whether to avoid aspirin and ibuprofen.
- How that advice fits with any medicines you already take. Do not stop a regular medicine unless your doctor tells you to.
- The exact timings in our aftercare emails, which our clinicians are still checking.""",
        },
        "faqs": [
            (
                "Can dermabrasion cause milia?",
                """\
Yes. Tiny white bumps (milia) can appear while the skin heals. They usually clear up by themselves or with gentle cleansing. Do not squeeze them, and tell us if they bother you.""",
            ),
            (
                "How much time off will I need?",
                """\
The skin usually heals in about 10 to 14 days. Most people go back to normal activities after 1 to 2 weeks, and it is sensible to plan at least 2 weeks off work. The new skin stays pink for a few months.""",
            ),
            (
                "Is dermabrasion suitable for darker skin?",
                """\
Results are usually better in fair skin. In darker skin there is a higher risk of scarring and of colour changes that may be permanent. Your clinician will talk this through honestly with you before you decide.""",
            ),
            (
                "Will it hurt?",
                """\
The skin is numbed with a local anaesthetic first. For large areas, medicine to make you drowsy may also be offered. For a few days afterwards the skin feels like a bad graze or sunburn. Your clinician will tell you which pain relief to use.""",
            ),
        ],
        "aftercare_steps": [
            {
                "day": 0,
                "send_time": "18:00",
                "title": "Day of your treatment",
                "body": """\
Thank you for coming in today. After dermabrasion, the skin feels as if it has been grazed or badly sunburnt. It will be red and swollen, and it will ooze. This is all expected.

- Keep the moist dressing on, exactly as your clinician told you.
- Take any antiviral or antibiotic medicine you were prescribed.
- Do not drink alcohol for 48 hours.
- Do not smoke. Smoking slows healing.
- Follow the advice your clinician gave you about pain relief.
- Do not touch or pick the treated skin.

Please remember your check-up appointment, when your clinician will look at your skin and change the dressing. If you are not sure when it is, check your appointment details.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 1,
                "send_time": "09:00",
                "title": "The day after your treatment",
                "body": """\
The day after dermabrasion, your skin will still be sore, red and swollen. The main job now is keeping it clean and moist.

- Clean the skin several times a day, the way you were shown. This stops thick crusts from forming.
- After cleaning, put the ointment or moist dressing back on.
- Change dressings as instructed.
- Do not pick or scratch.
- Keep taking any medicine you were prescribed.

About pain relief: follow the advice your clinician gave you, including whether to avoid aspirin and ibuprofen for about a week. Do not stop a medicine you take every day unless your doctor has told you to.

Remember: no alcohol until 48 hours have passed, and no smoking.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 3,
                "send_time": "09:00",
                "title": "Checking how your skin is healing",
                "body": """\
A few days after dermabrasion, crusting and itching are normal. New skin often itches. Try not to scratch.

- Keep cleaning several times a day, and put ointment or a moist dressing back on each time.
- Do not pick at the crusts.
- Keep taking any prescribed medicine until the course is finished.

Please check the treated skin today. Contact us if you notice:

- redness that is spreading or getting worse
- pain that is getting worse
- pus or a bad smell
- blisters that look like cold sores
- you feel feverish or generally unwell""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 7,
                "send_time": "09:00",
                "title": "One week after your treatment",
                "body": """\
You are now a week into your recovery. Healing usually takes about 10 to 14 days, so your skin may still be healing.

- Many people go back to normal activities between 1 and 2 weeks after treatment. Go at your own pace.
- Only wear make-up once the skin has fully healed.
- Keep cleaning gently and using ointment as instructed until the skin has healed.
- Keep the treated skin out of direct sun.
- Do not pick at any crusts that are left.

The new skin underneath will look pink. This is normal, and it fades slowly over the coming weeks and months.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 14,
                "send_time": "09:00",
                "title": "Two weeks after your treatment",
                "body": """\
It has been 2 weeks since your dermabrasion. For most people, the skin has healed or nearly healed by now. The new skin will be pink and may feel sensitive.

A few things to keep avoiding for now:

- no swimming in chlorinated pools until a month after treatment
- no vigorous sport until 4 to 6 weeks after treatment
- no direct sun. Use sunscreen of SPF 30 or higher every day.

You may notice tiny white bumps (milia) as the skin heals. These usually clear by themselves or with gentle cleansing. Do not squeeze them. Let us know if they bother you.

Please keep any follow-up appointments you have with us.""",
                "help_levels": ["contact", "advice"],
            },
            {
                "day": 30,
                "send_time": "09:00",
                "title": "One month after your treatment",
                "body": """\
It has been about a month since your dermabrasion. The new skin is probably still pink. The pink colour usually takes about 3 months to fade.

- Stay out of direct sun for 3 to 6 months after treatment.
- Use sunscreen of SPF 30 or higher every day.
- If your skin has fully healed, you may be able to swim in chlorinated pools again from about now. Check with your clinician if you are not sure.
- Wait until 4 to 6 weeks have passed before vigorous sport.

Please tell us if you notice:

- dark, light or blotchy patches of skin
- new white bumps (milia) that are not settling
- anything else about your skin that worries you

Keep any follow-up appointments, so that your clinician can check how your skin is healing.""",
                "help_levels": ["contact", "advice"],
            },
        ],
    },
    {
        "slug": "excision",
        "title": "Excision",
        "seo_title": "Excision (cutting out with stitches) and milia",
        "seo_description": (
            "Excision is not a routine milia treatment. When it may be considered, what "
            "happens on the day, stitches, scarring, risks and wound care."
        ),
        "summary": (
            "Excision means cutting a spot out and closing the skin with stitches. "
            "It is not a routine treatment for milia, and it always leaves a line scar."
        ),
        "at_a_glance": {
            "duration": "About 30 minutes",
            "anaesthetic": "Local anaesthetic injection",
            "downtime": "A few days; no swimming or gym until stitches are out",
            "visits": "Treatment, then stitch removal a few days later",
        },
        "comparison": {
            "suits": "Not a routine milia treatment; larger, unusual or uncertain spots",
            "scar_risk": "Always leaves a line scar longer than the spot",
            "can_cause_milia": "Not a listed side effect",
        },
        "sections": {
            "what_it_is": """\
Excision means cutting a spot out of the skin. The clinician removes it with a small edge of normal skin around it, usually in an oval shape. The edges are then closed with stitches.

Excision always leaves a scar. The scar is a line that is longer than the original spot.

Excision is **not** a routine treatment for milia. Medical guides on milia do not list it as one. For ordinary milia, a tiny opening and gentle pressing out of the contents (extraction) is usually all that is needed. Excision is a different, larger procedure.""",
            "who_it_suits": """\
Excision is only suggested in particular situations. It may be considered for:

- a cyst that is larger than a typical milium, or that looks unusual
- a spot where the diagnosis is not certain, so it needs to be examined in a laboratory. Some skin growths, including rarely a type of skin cancer, can look a little like milia.

If your clinician suggests excision, they will explain why, and what the other options are. It is not a first choice for ordinary milia.""",
            "who_should_not": """\
Excision is not used for ordinary milia. Before any excision, please tell us if you:

- take medicine that thins the blood
- have a pacemaker or another device implanted in your body
- have had thick or raised scars before
- smoke, because smoking slows healing

Please also ask us before the day whether you will be able to drive home afterwards, especially if the treatment is on your face.""",
            "on_the_day": """\
The appointment takes about 30 minutes.

- The skin is numbed with an injection of local anaesthetic. This stings for a short time, and then the area goes numb.
- The clinician removes the spot and closes the skin with stitches. A dressing is put on top.
- If the spot needs to be checked, it is sent to a laboratory. The results come separately.
- The numbness starts to wear off about 1 to 2 hours later.

Your clinician will tell you before the day whether you can drive home afterwards.""",
            "recovery": """\
Expect some soreness, swelling and bruising for the first few days, especially near the eyes. Bruising can take up to about 2 weeks to settle.

Stitches on the face usually come out after about 5 days, though this can vary. Stitches on other parts of the body stay in longer. Your clinician will tell you the exact day.

Some stitches are placed under the skin and dissolve by themselves. These do not need removing, but they can take around 10 to 12 weeks to disappear.

Scars keep changing for a long time. They take about 12 to 18 months to settle fully.""",
            "risks": """\
Possible risks include:

- **A scar.** Excision always leaves a permanent scar.
- **Bleeding.**
- **Infection.** One NHS hospital's leaflet says this happens after about 1 in 20 skin operations. Signs usually start 2 days or more after surgery.
- **The wound opening up.**
- **Thick or raised scars**, or a scar that changes colour. Sun on a new scar makes this more likely and can leave it permanently darker.

Changes in skin colour after any injury to the skin are generally more likely in darker skin. Ask your clinician how your scar is likely to look.""",
            "aftercare_summary": """\
Your clinician will give you full instructions. The main points are:

- Keep the dressing on and dry for 48 hours. Rest, and avoid heavy lifting and hard exercise.
- Follow the advice your clinician gave you about pain relief.
- If the wound bleeds, press on it firmly for 15 minutes, then hold a wrapped ice pack on it for 15 minutes.
- After 48 hours, take the dressing off. Short showers are fine, but do not soak the wound. Pat it dry.
- No swimming, soaking or gym until the stitches are out and the wound has healed.
- Wear make-up only a few days after the stitches are out and the wound has sealed.
- Once healed, moisturise the scar twice a day and protect it from the sun.""",
            "price_note": """\
This is a private treatment. Your clinician will confirm the fee at your consultation, before any treatment starts.

Please ask if anything about the cost is unclear. For example, ask whether the fee includes the stitch-removal visit, and whether there is a separate charge if your spot is sent to a laboratory.

If you have health insurance, check with your insurer before your treatment whether they will cover it.""",
            "clinic_decisions": """\
Some details are still being agreed by our clinicians. Your clinician will confirm these with you at your consultation:

- Exactly when we offer excision for a spot that may be a milium.
- Whether you can drive yourself home afterwards.
- Which pain relief to take, including whether aspirin and ibuprofen are suitable for you.
- The exact day your stitches come out.
- How many months to protect your scar from the sun. This is usually between 12 and 18 months.
- The exact timings in our aftercare emails, which our clinicians are still checking.""",
        },
        "faqs": [
            (
                "Is excision the most effective treatment for milia?",
                """\
We know of no study that compares how well the different milia treatments work. Excision is not a routine treatment for milia. For ordinary milia, extraction through a tiny opening is usually all that is needed, and a milium removed this way almost never comes back.

Excision always leaves a line scar that is longer than the spot.""",
            ),
            (
                "Will I have a scar?",
                """\
Yes. Excision always leaves a permanent line scar, longer than the original spot. Scars take about 12 to 18 months to settle. Your aftercare emails explain how to look after your scar, including keeping it out of the sun.""",
            ),
            (
                "When will my stitches come out?",
                """\
Stitches on the face usually come out after about 5 days. Stitches elsewhere on the body stay in longer. Your clinician will tell you the exact day. Dissolving stitches under the skin do not need removing.""",
            ),
            (
                "Will my spot be sent to a laboratory?",
                """\
If your clinician is not sure what the spot is, it will be sent to a laboratory to be checked. The results come separately, after your treatment.""",
            ),
        ],
        "aftercare_steps": [
            {
                "day": 0,
                "send_time": "18:00",
                "title": "Day of your treatment",
                "body": """\
Thank you for coming in today. The numbness from the local anaesthetic wears off about 1 to 2 hours after treatment. The wound may then feel sore.

- Take pain relief as your clinician advised you.
- Keep the dressing on and keep it dry for 48 hours.
- Rest today. Avoid heavy lifting and hard exercise, because they can start the wound bleeding.

**If the wound bleeds:** press on it firmly and steadily with a clean cloth for 15 minutes without letting go. Then hold an ice pack wrapped in a cloth on it for 15 minutes. If it is still bleeding after that, get help using the details at the end of this email.

Please also follow any other instructions your clinician gave you today.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 1,
                "send_time": "09:00",
                "title": "The day after your treatment",
                "body": """\
The day after excision, some soreness is normal. Bruising and swelling can build up over the first few days, especially if the treatment was near your eyes. Bruising can take up to about 2 weeks to fade.

- Keep the dressing on and dry until 48 hours have passed.
- Keep taking things easy. Avoid heavy lifting, hard exercise and lots of bending.
- Take pain relief as your clinician advised you.
- Do not pick at the dressing or the wound.

If the wound bleeds, press firmly on it with a clean cloth for 15 minutes, then hold a wrapped ice pack on it for 15 minutes.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 2,
                "send_time": "09:00",
                "title": "Taking your dressing off",
                "body": """\
Once 48 hours have passed since your treatment, you can take the dressing off, unless your clinician told you to leave it on for longer.

- Soaking the dressing in the shower can help it come off more easily.
- You can now let the wound get wet in a short shower. Do not soak it in a bath.
- Pat the wound dry gently with a clean towel.
- Do not leave a wet dressing on the wound.
- Follow any other advice your clinician gave you about dressings.

Keep avoiding swimming, the gym and hard exercise until your stitches are out and the wound has healed.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 3,
                "send_time": "09:00",
                "title": "Checking how your wound is healing",
                "body": """\
Today is a good day to check your wound. Signs of infection usually start 2 days or more after surgery.

Some redness at the edges of the wound in the first day or two is normal. Contact us if you notice:

- redness that is spreading or getting worse
- pain that is getting worse, even with painkillers
- the wound feels hot or throbs
- swelling that is increasing
- pus or a bad-smelling discharge
- you feel unwell, or have a temperature of 38 °C or higher
- the wound starts to open up

If everything looks fine, keep the wound clean and carry on avoiding swimming and hard exercise.""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 5,
                "send_time": "09:00",
                "title": "Your stitches",
                "body": """\
Your clinician will tell you the exact day your stitches come out. Stitches on the face usually come out after about 5 days. Stitches on other parts of the body stay in longer. If you have dissolving stitches under the skin, these do not need removing.

Please make sure you know when your stitch-removal appointment is. If you are not sure, check your appointment details.

Until your stitches are out and the wound has healed:

- no swimming, and do not soak the wound
- no gym or hard exercise
- for wounds on the face, avoid hard activity, heavy lifting and lots of bending for 2 weeks after treatment""",
                "help_levels": ["contact", "advice", "emergency"],
            },
            {
                "day": 7,
                "send_time": "09:00",
                "title": "After your stitches come out",
                "body": """\
By now, stitches on the face have usually been taken out. If yours are still in, keep following the advice you were given until they are removed.

After the stitches are out:

- Your clinician may put small paper strips over the wound. Follow their advice about how long to leave them on.
- Wait a few days after the stitches are out, and until the wound has sealed, before putting make-up on it.
- Do not pick at the wound or any scab.
- Once the wound has fully closed, you can start gently massaging the scar.

Your scar will keep changing for many months. This is normal.""",
                "help_levels": ["contact", "advice"],
            },
            {
                "day": 30,
                "send_time": "09:00",
                "title": "One month after your treatment",
                "body": """\
It has been about a month since your excision. Caring for your scar is now the main job. Scars take about 12 to 18 months to settle fully.

- Moisturise the scar twice a day with an unperfumed cream.
- Gently massage the scar now that the wound has fully healed.
- Do not pick at it.
- Keep the scar out of strong sun and use a very high-factor sunscreen on it. Follow the advice your clinician gave you about how many months to keep doing this.

Sun on a new scar can make it permanently darker. Let us know if your scar becomes raised, thick or itchy.

If your spot was sent to a laboratory, the results will reach you separately.""",
                "help_levels": ["contact", "advice"],
            },
        ],
    },
]


HELP_LEVELS = {
    "contact": [
        "Redness or pinkness that lasts longer than your clinician said to expect",
        "New dark or light patches of skin in the weeks after treatment",
        "New tiny white bumps (milia) after laser or dermabrasion",
        "A scar that is becoming raised, thick or itchy",
        "Questions about when to go back to make-up, skin care products or sport",
    ],
    "advice": [
        "Redness that is spreading around the wound or getting worse",
        "Pain that is getting worse even after taking painkillers",
        "The treated area feels hot or throbs",
        "Swelling that is getting worse",
        "Pus or a bad-smelling discharge",
        "Feeling generally unwell, or a temperature of 38 °C or higher",
        "Bleeding that has not stopped after 15 minutes of firm pressure followed by an ice pack",
        "The wound opening up",
        "Blisters like cold sores in or near an area treated with laser or dermabrasion",
        "After laser: swelling that lasts more than 3 days, or blistering, crusting or weeping you were not told to expect",
    ],
    "emergency": [
        "Confusion, slurred speech or not making sense",
        "Blue, grey, pale or blotchy skin, lips or tongue (on brown or black skin this may be easier to see on the palms or the soles of the feet)",
        "A rash that does not fade when you roll a glass over it",
        "Difficulty breathing, feeling breathless or breathing very fast",
        "Heavy bleeding that does not stop when you press on it",
    ],
}
