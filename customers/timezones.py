"""The customer's time zone, from where their parcels go.

Russia spans eleven zones, so "21:00 for the customer" depends on the region of the delivery
address. A Russian postcode's first three digits name its region; a pickup point or a typed
address names its city. Both are looked up in one table of regions; an address the table does
not know gives "", which every reader takes as the shop's own zone (settings.TIME_ZONE).
"""

import re
from dataclasses import dataclass

MOSCOW = "Europe/Moscow"
YEKATERINBURG = "Asia/Yekaterinburg"
KRASNOYARSK = "Asia/Krasnoyarsk"
IRKUTSK = "Asia/Irkutsk"
YAKUTSK = "Asia/Yakutsk"
VLADIVOSTOK = "Asia/Vladivostok"


@dataclass(frozen=True)
class Region:
    name: str
    zone: str
    postcodes: tuple[tuple[int, int], ...]  # ranges of the postcode's first three digits
    cities: tuple[str, ...] = ()  # lower case, "ё" written "е"


def _codes(*spans: str) -> tuple[tuple[int, int], ...]:
    """"101-144", "385" → ((101, 144), (385, 385))."""
    ranges = []
    for span in spans:
        first, _, last = span.partition("-")
        ranges.append((int(first), int(last or first)))
    return tuple(ranges)


REGIONS: tuple[Region, ...] = (
    # UTC+2
    Region("Калининградская область", "Europe/Kaliningrad", _codes("236-238"), ("калининград",)),
    # UTC+3
    Region("Москва и Московская область", MOSCOW, _codes("101-144"), ("москва", "зеленоград", "балашиха", "химки",
                                                                      "подольск", "мытищи", "королев", "люберцы")),
    Region("Санкт-Петербург и Ленинградская область", MOSCOW, _codes("187-199"), ("санкт-петербург", "спб")),
    Region("Ярославская область", MOSCOW, _codes("150-152"), ("ярославль",)),
    Region("Ивановская область", MOSCOW, _codes("153-155"), ("иваново",)),
    Region("Костромская область", MOSCOW, _codes("156-157"), ("кострома",)),
    Region("Вологодская область", MOSCOW, _codes("160-162"), ("вологда", "череповец")),
    Region("Архангельская область и Ненецкий округ", MOSCOW, _codes("163-166"), ("архангельск", "северодвинск")),
    Region("Республика Коми", MOSCOW, _codes("167-169"), ("сыктывкар", "ухта")),
    Region("Тверская область", MOSCOW, _codes("170-172"), ("тверь",)),
    Region("Новгородская область", MOSCOW, _codes("173-175"), ("великий новгород",)),
    Region("Псковская область", MOSCOW, _codes("180-182"), ("псков",)),
    Region("Мурманская область", MOSCOW, _codes("183-184"), ("мурманск",)),
    Region("Республика Карелия", MOSCOW, _codes("185-186"), ("петрозаводск",)),
    Region("Смоленская область", MOSCOW, _codes("214-216"), ("смоленск",)),
    Region("Брянская область", MOSCOW, _codes("241-243"), ("брянск",)),
    Region("Калужская область", MOSCOW, _codes("248-249"), ("калуга", "обнинск")),
    Region("Тульская область", MOSCOW, _codes("300-301"), ("тула",)),
    Region("Орловская область", MOSCOW, _codes("302-303"), ("орел",)),
    Region("Курская область", MOSCOW, _codes("305-307"), ("курск",)),
    Region("Белгородская область", MOSCOW, _codes("308-309"), ("белгород",)),
    Region("Ростовская область", MOSCOW, _codes("344-347"), ("ростов-на-дону", "таганрог")),
    Region("Краснодарский край", MOSCOW, _codes("350-354"), ("краснодар", "сочи", "новороссийск", "анапа")),
    Region("Ставропольский край", MOSCOW, _codes("355-357"), ("ставрополь", "пятигорск", "кисловодск")),
    Region("Республика Калмыкия", MOSCOW, _codes("358-359"), ("элиста",)),
    Region("Кабардино-Балкарская Республика", MOSCOW, _codes("360-361"), ("нальчик",)),
    Region("Республика Северная Осетия — Алания", MOSCOW, _codes("362-363"), ("владикавказ",)),
    Region("Чеченская Республика", MOSCOW, _codes("364-366"), ("грозный",)),
    Region("Республика Дагестан", MOSCOW, _codes("367-368"), ("махачкала", "дербент")),
    Region("Карачаево-Черкесская Республика", MOSCOW, _codes("369"), ("черкесск",)),
    Region("Республика Адыгея", MOSCOW, _codes("385"), ("майкоп",)),
    Region("Республика Ингушетия", MOSCOW, _codes("386"), ("магас", "назрань")),
    Region("Рязанская область", MOSCOW, _codes("390-391"), ("рязань",)),
    Region("Тамбовская область", MOSCOW, _codes("392-393"), ("тамбов",)),
    Region("Воронежская область", MOSCOW, _codes("394-397"), ("воронеж",)),
    Region("Липецкая область", MOSCOW, _codes("398-399"), ("липецк",)),
    Region("Волгоградская область", "Europe/Volgograd", _codes("400-404"), ("волгоград", "волжский")),
    Region("Республика Татарстан", MOSCOW, _codes("420-423"), ("казань", "набережные челны", "нижнекамск")),
    Region("Республика Марий Эл", MOSCOW, _codes("424-425"), ("йошкар-ола",)),
    Region("Чувашская Республика", MOSCOW, _codes("428-429"), ("чебоксары",)),
    Region("Республика Мордовия", MOSCOW, _codes("430-431"), ("саранск",)),
    Region("Пензенская область", MOSCOW, _codes("440-442"), ("пенза",)),
    Region("Владимирская область", MOSCOW, _codes("600-602"), ("владимир",)),
    Region("Нижегородская область", MOSCOW, _codes("603-607"), ("нижний новгород", "дзержинск")),
    Region("Кировская область", "Europe/Kirov", _codes("610-613"), ("киров",)),
    # UTC+4
    Region("Саратовская область", "Europe/Saratov", _codes("410-413"), ("саратов", "энгельс")),
    Region("Астраханская область", "Europe/Astrakhan", _codes("414-416"), ("астрахань",)),
    Region("Удмуртская Республика", "Europe/Samara", _codes("426-427"), ("ижевск",)),
    Region("Ульяновская область", "Europe/Ulyanovsk", _codes("432-433"), ("ульяновск",)),
    Region("Самарская область", "Europe/Samara", _codes("443-446"), ("самара", "тольятти")),
    # UTC+5
    Region("Республика Башкортостан", YEKATERINBURG, _codes("450-453"), ("уфа", "стерлитамак")),
    Region("Челябинская область", YEKATERINBURG, _codes("454-457"), ("челябинск", "магнитогорск")),
    Region("Оренбургская область", YEKATERINBURG, _codes("460-462"), ("оренбург", "орск")),
    Region("Пермский край", YEKATERINBURG, _codes("614-619"), ("пермь",)),
    Region("Свердловская область", YEKATERINBURG, _codes("620-624"), ("екатеринбург", "нижний тагил")),
    Region("Тюменская область", YEKATERINBURG, _codes("625-627"), ("тюмень", "тобольск")),
    Region("Ханты-Мансийский округ", YEKATERINBURG, _codes("628"), ("сургут", "ханты-мансийск", "нижневартовск")),
    Region("Ямало-Ненецкий округ", YEKATERINBURG, _codes("629"), ("салехард", "новый уренгой", "ноябрьск")),
    Region("Курганская область", YEKATERINBURG, _codes("640-641"), ("курган",)),
    # UTC+6
    Region("Омская область", "Asia/Omsk", _codes("644-646"), ("омск",)),
    # UTC+7
    Region("Новосибирская область", "Asia/Novosibirsk", _codes("630-633"), ("новосибирск", "бердск")),
    Region("Томская область", "Asia/Tomsk", _codes("634-636"), ("томск", "северск")),
    Region("Республика Алтай", "Asia/Barnaul", _codes("649"), ("горно-алтайск",)),
    Region("Кемеровская область — Кузбасс", "Asia/Novokuznetsk", _codes("650-654"), ("кемерово", "новокузнецк")),
    Region("Республика Хакасия", KRASNOYARSK, _codes("655"), ("абакан",)),
    Region("Алтайский край", "Asia/Barnaul", _codes("656-659"), ("барнаул", "бийск")),
    Region("Красноярский край", KRASNOYARSK, _codes("660-663"), ("красноярск", "норильск")),
    Region("Республика Тыва", KRASNOYARSK, _codes("667-668"), ("кызыл",)),
    # UTC+8
    Region("Иркутская область", IRKUTSK, _codes("664-666"), ("иркутск", "братск", "ангарск")),
    Region("Республика Бурятия", IRKUTSK, _codes("670-671"), ("улан-удэ",)),
    # UTC+9
    Region("Забайкальский край", "Asia/Chita", _codes("672-674", "687"), ("чита",)),
    Region("Амурская область", YAKUTSK, _codes("675-676"), ("благовещенск",)),
    Region("Республика Саха (Якутия)", YAKUTSK, _codes("677-678"), ("якутск",)),
    # UTC+10
    Region("Еврейская автономная область", VLADIVOSTOK, _codes("679"), ("биробиджан",)),
    Region("Хабаровский край", VLADIVOSTOK, _codes("680-682"), ("хабаровск", "комсомольск-на-амуре")),
    Region("Приморский край", VLADIVOSTOK, _codes("690-692"), ("владивосток", "находка", "уссурийск")),
    # UTC+11
    Region("Магаданская область", "Asia/Magadan", _codes("685-686"), ("магадан",)),
    Region("Сахалинская область", "Asia/Sakhalin", _codes("693-694"), ("южно-сахалинск",)),
    # UTC+12
    Region("Камчатский край", "Asia/Kamchatka", _codes("683-684"), ("петропавловск-камчатский",)),
    Region("Чукотский автономный округ", "Asia/Anadyr", _codes("689"), ("анадырь",)),
)

_CITIES = {city: region for region in REGIONS for city in region.cities}
# Longest names first, so "нижний новгород" is found before a shorter name inside it could be.
_CITY_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(city) for city in sorted(_CITIES, key=len, reverse=True)) + r")(?![\w-])"
)


def _region_of_postcode(postcode: str) -> Region | None:
    postcode = (postcode or "").strip()
    if len(postcode) != 6 or not postcode.isdigit():
        return None
    prefix = int(postcode[:3])
    return next(
        (region for region in REGIONS if any(first <= prefix <= last for first, last in region.postcodes)), None
    )


def _region_of_place(place: str) -> Region | None:
    """The region of the first city named in `place` ("г. Новосибирск, ул. Ленина, 1")."""
    match = _CITY_PATTERN.search((place or "").lower().replace("ё", "е"))
    return _CITIES[match.group(1)] if match else None


def customer_timezone(*, postcode: str = "", place: str = "") -> str:
    """The IANA zone of a delivery address ("Asia/Novosibirsk"), or "" when it cannot be told.

    `postcode` decides when it is a known Russian one; otherwise the first city named in
    `place` (a pickup point's city, or the address as typed, which starts with the city)."""
    region = _region_of_postcode(postcode) or _region_of_place(place)
    return region.zone if region else ""
